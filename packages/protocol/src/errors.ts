import { type Static, type TSchema, Type } from '@sinclair/typebox';

/**
 * The catalog of stable error codes, by the HTTP status a REST answer carries them with, each
 * with the message sent when nothing more precise is said. Codes are part of the wire contract:
 * clients branch on them, so a code is never renamed or reused for another meaning.
 */
const CODES_BY_STATUS = {
  400: {
    /** The request or event payload failed validation; `details.path` names the field. */
    BAD_REQUEST: 'request is invalid',
    /** An image of a ticket document is not a complete, decodable PNG; `details.blockIndex` names it. */
    IMAGE_INVALID: 'image is not a valid PNG',
    /**
     * A webhook URL that may not be called: not http(s), credentials in it, or a host that is (or
     * resolves to) a private, loopback, link-local or other internal address; `details.reason` says which.
     */
    WEBHOOK_URL_REFUSED: 'webhook URL is not allowed',
  },
  401: {
    /** No credentials, or credentials that are not valid (bad JWT, unknown licence). */
    AUTH_FAILED: 'authentication failed',
  },
  403: {
    /** The licence exists but is suspended, revoked, expired or bound to another device. */
    LICENSE_INVALID: 'licence is not valid for this request',
    /** Authenticated, but the role or tenant scope does not allow this. */
    FORBIDDEN: 'not allowed',
    /**
     * The branch (or its company) is deactivated: its agents' handshakes and its print jobs are
     * refused until an administrator activates it again (docs/admin-api.md).
     */
    BRANCH_INACTIVE: 'branch is deactivated',
  },
  404: {
    NOT_FOUND: 'not found',
    PRINTER_NOT_FOUND: 'printer not found',
    JOB_NOT_FOUND: 'print job not found',
    COMPANY_NOT_FOUND: 'company not found',
    BRANCH_NOT_FOUND: 'branch not found',
    LICENSE_NOT_FOUND: 'licence not found',
    /** The API key does not exist, or is not within the caller's scope. */
    API_KEY_NOT_FOUND: 'API key not found',
    WEBHOOK_NOT_FOUND: 'webhook endpoint not found',
    STATION_NOT_FOUND: 'station not found',
    /** The delivery (or the event to redeliver) is not one of this endpoint's. */
    WEBHOOK_DELIVERY_NOT_FOUND: 'webhook delivery not found',
  },
  408: {
    /** The request did not arrive in time (HTTP: its headers took longer than the server waits). */
    REQUEST_TIMEOUT: 'the request took too long to arrive',
  },
  409: {
    /** A unique value (printer name in a branch, …) is already taken. */
    CONFLICT: 'conflicting change',
    /** The same `Idempotency-Key` was used before with a different request body. */
    IDEMPOTENCY_KEY_REUSED: 'idempotency key was already used with a different request',
    /** The job is in a final state (or already with an agent) and cannot take this change. */
    JOB_ALREADY_FINAL: 'print job can no longer be changed',
    /** The licence's `maxPrinters` would be exceeded. */
    PRINTER_LIMIT_REACHED: 'licence printer limit reached',
  },
  413: {
    PAYLOAD_TOO_LARGE: 'payload is too large',
    /**
     * One image of a ticket document is over the per-image limit on pixels (width × height, as its
     * PNG header declares) or PNG bytes; `details` names the block and the limit. Refused from the header,
     * before anything is decoded.
     */
    IMAGE_TOO_LARGE: 'image is too large',
    /** The images of one ticket document together are over the per-job limit on pixels or PNG bytes. */
    JOB_IMAGES_TOO_LARGE: 'the images of this job are too large together',
  },
  414: {
    /** A path segment (an id) is longer than the router reads; ids are at most 128 characters. */
    URI_TOO_LONG: 'a path parameter is too long',
  },
  415: { UNSUPPORTED_MEDIA_TYPE: 'unsupported content type' },
  429: {
    /** Too many requests; `details.resetIn` is the wait in whole seconds. */
    RATE_LIMIT_EXCEEDED: 'rate limit exceeded',
  },
  431: {
    /** The request's headers together are larger than the HTTP server reads (16 KB). */
    HEADERS_TOO_LARGE: 'request headers are too large',
  },
  500: { INTERNAL: 'internal error' },
  503: {
    /** Too many requests waiting for an agent's reply on this process. */
    TOO_MANY_PENDING_REQUESTS: 'too many pending requests',
    /** No agent of the printer's branch is connected. */
    PRINTER_OFFLINE: 'printer is offline',
    /** Every render thread is busy and the documents waiting for one are at their limit. */
    RENDERER_BUSY: 'too many documents are waiting to be rendered',
    /** Redis (shared state of several gateway processes) is unreachable. */
    CLUSTER_UNAVAILABLE: 'cluster state is unavailable',
    /** The gateway is shutting down or not ready. */
    SERVICE_UNAVAILABLE: 'service unavailable',
  },
  504: {
    /** The agent did not answer within the deadline. */
    TIMEOUT: 'the agent did not answer in time',
  },
} as const satisfies Record<number, Record<string, string>>;

/** The statuses whose codes a client may retry as they are: the same request may succeed later. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 503, 504]);

type CodesByStatus = typeof CODES_BY_STATUS;
export type ErrorCode = { [S in keyof CodesByStatus]: keyof CodesByStatus[S] }[keyof CodesByStatus];

/** What a code means on the wire: the HTTP status of a REST answer, whether to retry, the default message. */
export interface ErrorSpec {
  status: number;
  retryable: boolean;
  message: string;
}

/** Every code's spec (`CODES_BY_STATUS` above, looked up by code). */
export const ERROR_SPECS = Object.fromEntries(
  Object.entries(CODES_BY_STATUS).flatMap(([key, codes]) => {
    const status = Number(key);
    const retryable = RETRYABLE_STATUSES.has(status);
    return Object.entries(codes).map(([code, message]) => [code, { status, retryable, message }]);
  }),
) as Readonly<Record<ErrorCode, ErrorSpec>>;

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
