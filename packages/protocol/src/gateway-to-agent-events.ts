import { type Static, type TSchema, Type } from '@sinclair/typebox';
import {
  type BranchJoined,
  type DesktopHealthAcknowledged,
  type DesktopStatusAcknowledged,
  type PrinterDiscoveryAcknowledged,
  type PrinterStatusAcknowledged,
  REPLY_EVENT_SCHEMAS,
} from './agent-event-replies.js';
import { type Ack, AckResponseSchema, ERROR_CODES, type SocketErrorEvent, SocketErrorEventSchema } from './errors.js';
import { JobTypeSchema } from './print-job.js';
import { IsoTimeSchema, WireIdSchema } from './wire-values.js';

const Port = Type.Integer({ minimum: 1, maximum: 65535 });

/**
 * `printer:test` to an agent: print a test page on this printer, answer `printer:test:ack` at
 * once and `printer:test:result` when done, both echoing `printerId` and `correlationId`.
 * Legacy clients need `printerId` and `printerName`.
 */
export const PrinterTestRequestSchema = Type.Object({
  printerId: WireIdSchema,
  printerName: Type.String(),
  /** Correlation ID (correlation-id.ts); the agent echoes it in both answers. */
  correlationId: Type.String({ minLength: 1, maxLength: 128 }),
  /** ISO 8601. */
  requestTimestamp: IsoTimeSchema,
  branchId: WireIdSchema,
  branchName: Type.String(),
  companyName: Type.String(),
  type: Type.String(),
  connection: Type.String(),
  ip: Type.Optional(Type.String()),
  port: Type.Optional(Port),
  capabilities: Type.Array(Type.String()),
  /** Optional test content: the test type and, for `custom`, the text to print. */
  testType: Type.Optional(Type.String()),
  content: Type.Optional(Type.String()),
  metadata: Type.Object({
    requestSource: Type.Literal('backend_gateway'),
    expectedResponseEvent: Type.Literal('printer:test:result'),
    /** Milliseconds the gateway waits for the result. */
    timeout: Type.Number({ minimum: 0 }),
  }),
});
export type PrinterTestRequest = Static<typeof PrinterTestRequestSchema>;

/**
 * `print:job` to a v2 agent. The agent answers through the Socket.IO acknowledgement once
 * the job is in its journal, with its current state for the job (a duplicate delivery gets
 * the state it already has); `{ok: false}` refuses the job, which then fails with the message.
 */
export const PrintJobDeliverySchema = Type.Object({
  id: WireIdSchema,
  printerId: WireIdSchema,
  printerName: Type.String(),
  /** Raw ESC/POS bytes, base64. */
  content: Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$' }),
  encoding: Type.Literal('base64'),
  type: JobTypeSchema,
  /** 1–10, higher first. */
  priority: Type.Integer({ minimum: 1, maximum: 10 }),
  /** Copies to print, 1–10. */
  copies: Type.Integer({ minimum: 1, maximum: 10 }),
  orderData: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  /** ISO 8601; the agent never starts printing after this time. */
  usefulUntil: IsoTimeSchema,
  /** ISO 8601 creation time. */
  timestamp: IsoTimeSchema,
  /**
   * Which send this is, from 1. Above 1 the job went to this agent before and may be in its
   * journal already; an agent whose journal lost entries since `timestamp` must not print an
   * unknown job sent again, and answers `unconfirmed` instead. Absent: treated as a re-send.
   */
  attempt: Type.Optional(Type.Integer({ minimum: 1 })),
  /** How the agent reaches the printer, as the gateway knows it. */
  printer: Type.Object({
    connection: Type.String(),
    ip: Type.Optional(Type.String()),
    port: Type.Optional(Port),
    /** The operating system's queue name (CUPS). */
    systemName: Type.Optional(Type.String()),
  }),
});
export type PrintJobDelivery = Static<typeof PrintJobDeliverySchema>;

/** The `data` of the agent's answer to `print:job`: the state the job has in its journal. */
export const PrintJobDeliveryReplySchema = Type.Object({
  jobId: WireIdSchema,
  state: Type.Union(
    (['accepted', 'printing', 'completed', 'failed', 'unconfirmed'] as const).map((s) => Type.Literal(s)),
  ),
  /** Why the job failed or is unconfirmed. */
  reason: Type.Optional(Type.String({ maxLength: 2048 })),
});
export type PrintJobDeliveryReply = Static<typeof PrintJobDeliveryReplySchema>;

/** The agent's whole answer to `print:job`. */
export const PrintJobDeliveryAckSchema = AckResponseSchema(PrintJobDeliveryReplySchema);
export type PrintJobDeliveryAck = Static<typeof PrintJobDeliveryAckSchema>;

/** `printer:status:request`: report the statuses of these printers (all, without `printerIds`) with `printer:status:update`. */
export const PrinterStatusRequestSchema = Type.Object({
  action: Type.Literal('status_update'),
  printerIds: Type.Optional(Type.Array(WireIdSchema)),
  timestamp: IsoTimeSchema,
  branchId: WireIdSchema,
});
export type PrinterStatusRequest = Static<typeof PrinterStatusRequestSchema>;

/** `printer:discovery:error`: a `printer:discovered` was not saved. `printerId` is the agent's id for it, or null. */
export const PrinterDiscoveryErrorSchema = Type.Object({
  printerId: Type.Union([WireIdSchema, Type.Null()]),
  error: Type.String(),
  code: Type.Union(ERROR_CODES.map((code) => Type.Literal(code))),
});
export type PrinterDiscoveryError = Static<typeof PrinterDiscoveryErrorSchema>;

/** Every event the gateway emits to agents, with its payload schema. */
export const GATEWAY_TO_AGENT_EVENT_SCHEMAS = {
  'print:job': PrintJobDeliverySchema,
  'printer:test': PrinterTestRequestSchema,
  'printer:status:request': PrinterStatusRequestSchema,
  ...REPLY_EVENT_SCHEMAS,
  'printer:discovery:error': PrinterDiscoveryErrorSchema,
  'error:event': SocketErrorEventSchema,
} as const satisfies Record<string, TSchema>;

export type GatewayToAgentEventName = keyof typeof GATEWAY_TO_AGENT_EVENT_SCHEMAS;
export type GatewayToAgentPayload<E extends GatewayToAgentEventName> = Static<
  (typeof GATEWAY_TO_AGENT_EVENT_SCHEMAS)[E]
>;

/**
 * Socket.IO events from the gateway to an agent (docs/protocol.md#events-to-agents, and the replies of
 * section 4): the gateway's `EmitEvents` towards agents, an agent's `ListenEvents`.
 * Payloads are untrusted at the agent: check them against `GATEWAY_TO_AGENT_EVENT_SCHEMAS`.
 */
export interface GatewayToAgentEvents {
  /**
   * A print job for a v2 agent (never sent to legacy clients). Always sent with an
   * acknowledgement, which the agent calls once the job is durably in its journal.
   */
  'print:job': (delivery: PrintJobDelivery, ack: Ack<PrintJobDeliveryReply>) => void;
  /** A printer test; answered with the events `printer:test:ack` and `printer:test:result`. */
  'printer:test': (request: PrinterTestRequest) => void;
  /** Sent after `desktop:status` `ready`/`connected`; answered with `printer:status:update`. */
  'printer:status:request': (request: PrinterStatusRequest) => void;
  /** Reply to `join:branch`. */
  'branch:joined': (reply: BranchJoined) => void;
  /** Reply to `desktop:status`. */
  'desktop:status:acknowledged': (reply: DesktopStatusAcknowledged) => void;
  /** Reply to a saved `printer:discovered`. */
  'printer:discovery:acknowledged': (reply: PrinterDiscoveryAcknowledged) => void;
  /** Reply to a `printer:discovered` that was not saved (also rejected with `error:event`). */
  'printer:discovery:error': (reply: PrinterDiscoveryError) => void;
  /** Reply to `printer:status:update`. */
  'printer:status:acknowledged': (reply: PrinterStatusAcknowledged) => void;
  /** Reply to `desktop:health:report`. */
  'desktop:health:acknowledged': (reply: DesktopHealthAcknowledged) => void;
  /** One of the agent's events was rejected; the socket stays open. */
  'error:event': (error: SocketErrorEvent) => void;
}
