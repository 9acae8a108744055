import { type Static, type TSchema, Type } from '@sinclair/typebox';

/**
 * The catalog of stable error codes. Codes are part of the wire contract: clients
 * branch on them, so a code is never renamed or reused for another meaning.
 */
export const ERROR_SPECS = {
  /** The request or event payload failed validation; `details.path` names the field. */
  BAD_REQUEST: { status: 400, retryable: false, message: 'request is invalid' },
  /** No credentials, or credentials that are not valid (bad JWT, unknown licence). */
  AUTH_FAILED: { status: 401, retryable: false, message: 'authentication failed' },
  /** The licence exists but is suspended, revoked, expired or bound to another device. */
  LICENSE_INVALID: { status: 403, retryable: false, message: 'licence is not valid for this request' },
  /** Authenticated, but the role or tenant scope does not allow this. */
  FORBIDDEN: { status: 403, retryable: false, message: 'not allowed' },
  NOT_FOUND: { status: 404, retryable: false, message: 'not found' },
  PRINTER_NOT_FOUND: { status: 404, retryable: false, message: 'printer not found' },
  JOB_NOT_FOUND: { status: 404, retryable: false, message: 'print job not found' },
  COMPANY_NOT_FOUND: { status: 404, retryable: false, message: 'company not found' },
  BRANCH_NOT_FOUND: { status: 404, retryable: false, message: 'branch not found' },
  LICENSE_NOT_FOUND: { status: 404, retryable: false, message: 'licence not found' },
  /** A unique value (printer name in a branch, …) is already taken. */
  CONFLICT: { status: 409, retryable: false, message: 'conflicting change' },
  /** The same `Idempotency-Key` was used before with a different request body. */
  IDEMPOTENCY_KEY_REUSED: {
    status: 409,
    retryable: false,
    message: 'idempotency key was already used with a different request',
  },
  /** The job is in a final state (or already with an agent) and cannot take this change. */
  JOB_ALREADY_FINAL: { status: 409, retryable: false, message: 'print job can no longer be changed' },
  /** The licence's `maxPrinters` would be exceeded. */
  PRINTER_LIMIT_REACHED: { status: 409, retryable: false, message: 'licence printer limit reached' },
  PAYLOAD_TOO_LARGE: { status: 413, retryable: false, message: 'payload is too large' },
  /** The request did not arrive in time (HTTP: its headers took longer than the server waits). */
  REQUEST_TIMEOUT: { status: 408, retryable: true, message: 'the request took too long to arrive' },
  /** A path segment (an id) is longer than the router reads; ids are at most 128 characters. */
  URI_TOO_LONG: { status: 414, retryable: false, message: 'a path parameter is too long' },
  /** The request's headers together are larger than the HTTP server reads (16 KB). */
  HEADERS_TOO_LARGE: { status: 431, retryable: false, message: 'request headers are too large' },
  /**
   * One image of a ticket document is over the per-image limit on pixels (width × height, as its
   * PNG header declares) or PNG bytes; `details` names the block and the limit. Refused from the header,
   * before anything is decoded.
   */
  IMAGE_TOO_LARGE: { status: 413, retryable: false, message: 'image is too large' },
  /** The images of one ticket document together are over the per-job limit on pixels or PNG bytes. */
  JOB_IMAGES_TOO_LARGE: { status: 413, retryable: false, message: 'the images of this job are too large together' },
  /** An image of a ticket document is not a complete, decodable PNG; `details.blockIndex` names it. */
  IMAGE_INVALID: { status: 400, retryable: false, message: 'image is not a valid PNG' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retryable: false, message: 'unsupported content type' },
  /** Too many requests; `details.resetIn` is the wait in whole seconds. */
  RATE_LIMIT_EXCEEDED: { status: 429, retryable: true, message: 'rate limit exceeded' },
  /** Too many requests waiting for an agent's reply on this process. */
  TOO_MANY_PENDING_REQUESTS: { status: 503, retryable: true, message: 'too many pending requests' },
  /** No agent of the printer's branch is connected. */
  PRINTER_OFFLINE: { status: 503, retryable: true, message: 'printer is offline' },
  /** Every render thread is busy and the documents waiting for one are at their limit. */
  RENDERER_BUSY: { status: 503, retryable: true, message: 'too many documents are waiting to be rendered' },
  /** Redis (shared state of several gateway processes) is unreachable. */
  CLUSTER_UNAVAILABLE: { status: 503, retryable: true, message: 'cluster state is unavailable' },
  /** The gateway is shutting down or not ready. */
  SERVICE_UNAVAILABLE: { status: 503, retryable: true, message: 'service unavailable' },
  /** The agent did not answer within the deadline. */
  TIMEOUT: { status: 504, retryable: true, message: 'the agent did not answer in time' },
  INTERNAL: { status: 500, retryable: true, message: 'internal error' },
} as const satisfies Record<string, { status: number; retryable: boolean; message: string }>;

export type ErrorCode = keyof typeof ERROR_SPECS;

export const ERROR_CODES = Object.keys(ERROR_SPECS) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_SPECS, value);
}

const ErrorCodeSchema = Type.Union(ERROR_CODES.map((code) => Type.Literal(code)));

/** An error as it travels: REST bodies add `success: false`; socket acks wrap it as `{ok: false, error}`. */
export const WireErrorSchema = Type.Object({
  code: ErrorCodeSchema,
  message: Type.String(),
  /** Code-specific facts: `path` (a JSON pointer) for `BAD_REQUEST`, `resetIn` (s) for `RATE_LIMIT_EXCEEDED` … */
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type WireError = Static<typeof WireErrorSchema>;

/** Answer of every Socket.IO acknowledgement the gateway or a v2 agent sends. Acks never throw. */
export type AckResponse<T = undefined> = { ok: true; data: T } | { ok: false; error: WireError };

/** The schema of an `AckResponse` whose `data` has the schema `data`. Build it once per `data` (checks are cached by schema). */
export function AckResponseSchema<T extends TSchema>(data: T) {
  return Type.Union([
    Type.Object({ ok: Type.Literal(true), data }),
    Type.Object({ ok: Type.Literal(false), error: WireErrorSchema }),
  ]);
}

/** The acknowledgement callback of an event: the receiver calls it once, with an `AckResponse`. */
export type Ack<T> = (response: AckResponse<T>) => void;

/** `error:event`, to agents and web clients: one of the socket's events was rejected. The socket stays open. */
export const SocketErrorEventSchema = Type.Object({
  ...WireErrorSchema.properties,
  /** The event that was rejected. */
  event: Type.String(),
});
export type SocketErrorEvent = Static<typeof SocketErrorEventSchema>;
