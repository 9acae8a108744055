import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { AgentTimestampSchema, ShortTextSchema, WireIdSchema } from './wire-values.js';

/** Timestamps from agents: ISO 8601 strings or Unix milliseconds, within years 1–9999. */
const Timestamp = AgentTimestampSchema;
const Id = WireIdSchema;
const ShortText = ShortTextSchema;

export const PRINTER_STATUSES = ['online', 'offline', 'busy', 'error', 'unknown'] as const;
export type PrinterStatus = (typeof PRINTER_STATUSES)[number];
export const PrinterStatusSchema = Type.Union(PRINTER_STATUSES.map((s) => Type.Literal(s)));

/**
 * Why a printer is in its status, as a stable code a dashboard or a POS can act on:
 * - `paper_near_end`: still prints (`online`), the near-end sensor sees little paper left;
 * - `paper_out`, `cover_open`: cannot print (`error`) until someone fixes it;
 * - `printer_offline`: the printer says it is offline (`offline`), e.g. a feed button held, or the
 *   operating system's queue says so;
 * - `unreachable`: no connection to the printer (`offline`);
 * - `not_answering`: connected, but no answer to status requests (`error`);
 * - `agent_disconnected`: set by the gateway, not by agents: no connected agent can reach it.
 * Absent: nothing to say (a ready printer).
 */
export const PRINTER_STATUS_REASONS = [
  'paper_near_end',
  'paper_out',
  'cover_open',
  'printer_offline',
  'unreachable',
  'not_answering',
  'agent_disconnected',
] as const;
export type PrinterStatusReason = (typeof PRINTER_STATUS_REASONS)[number];
export const PrinterStatusReasonSchema = Type.Union(PRINTER_STATUS_REASONS.map((r) => Type.Literal(r)));

export const JoinBranchSchema = Type.Object({ branchId: Id });

export const DesktopStatusSchema = Type.Object({
  status: Type.Union([Type.Literal('connected'), Type.Literal('ready'), Type.Literal('disconnected')]),
  timestamp: Type.Optional(Timestamp),
  version: Type.Optional(ShortText),
});

/**
 * A printer the agent found. Upserted by `id` when that id is known in the
 * agent's branch, else by branch + `name`. `connection` is `network`, `usb`,
 * `system` (a CUPS/OS queue) …; network printers carry `ip`/`port` in `device`
 * or at the top level.
 */
export const PrinterDiscoveredSchema = Type.Object({
  id: Type.Optional(Id),
  name: Type.String({ minLength: 1, maxLength: 128 }),
  type: Type.Optional(ShortText),
  connection: Type.Optional(ShortText),
  status: Type.Optional(PrinterStatusSchema),
  branchId: Type.Optional(Id),
  discoveredBy: Type.Optional(ShortText),
  discoveryMethod: Type.Optional(ShortText),
  timestamp: Type.Optional(Timestamp),
  device: Type.Optional(Type.Unknown()),
  systemPrinter: Type.Optional(Type.Unknown()),
  ip: Type.Optional(ShortText),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  capabilities: Type.Optional(Type.Array(ShortText, { maxItems: 64 })),
});
export type PrinterDiscovered = Static<typeof PrinterDiscoveredSchema>;

export const PrinterStatusUpdateSchema = Type.Object({
  printerIds: Type.Array(
    Type.Object({
      id: Id,
      name: Type.Optional(ShortText),
      status: PrinterStatusSchema,
      /** Why, when there is something to say (v2 agents of this gateway; others send none). */
      reason: Type.Optional(PrinterStatusReasonSchema),
      lastSeen: Type.Optional(Timestamp),
      capabilities: Type.Optional(Type.Array(ShortText, { maxItems: 64 })),
    }),
    { maxItems: 500 },
  ),
  branchId: Type.Optional(Id),
  timestamp: Type.Optional(Timestamp),
});
export type PrinterStatusUpdate = Static<typeof PrinterStatusUpdateSchema>;

export const CONNECTION_QUALITIES = ['excellent', 'good', 'fair', 'poor'] as const;
export type ConnectionQuality = (typeof CONNECTION_QUALITIES)[number];
export const ConnectionQualitySchema = Type.Union(CONNECTION_QUALITIES.map((q) => Type.Literal(q)));

/** Sent by v2 agents every 5 minutes. Latencies in ms, rates as fractions 0–1 or percentages 0–100 (see docs). */
export const DesktopHealthReportSchema = Type.Object({
  uptime: Type.Number({ minimum: 0 }),
  reconnectionCount: Type.Integer({ minimum: 0 }),
  averageLatency: Type.Number({ minimum: 0 }),
  // A percentage (docs/protocol.md): above 100 is no loss rate, and a dashboard would show it as one.
  packetLossRate: Type.Number({ minimum: 0, maximum: 100 }),
  totalPings: Type.Integer({ minimum: 0 }),
  successfulPongs: Type.Integer({ minimum: 0 }),
  connectionQuality: ConnectionQualitySchema,
  lastPongTime: Type.Optional(Timestamp),
  connectionStartTime: Type.Optional(Timestamp),
  branchId: Type.Optional(Id),
  deviceId: Type.Optional(Id),
  appVersion: Type.Optional(ShortText),
  timestamp: Type.Optional(Timestamp),
});
export type DesktopHealthReport = Static<typeof DesktopHealthReportSchema>;

export const DesktopHealthDegradedSchema = Type.Object({
  reason: Type.Union([Type.Literal('pong_timeout'), Type.Literal('high_latency')]),
  lastPongTime: Type.Optional(Timestamp),
  timestamp: Type.Optional(Timestamp),
});
export type DesktopHealthDegraded = Static<typeof DesktopHealthDegradedSchema>;

export const PrinterTestAckSchema = Type.Object({
  printerId: Id,
  correlationId: Type.Optional(Type.String({ maxLength: 128 })),
  message: Type.Optional(Type.String({ maxLength: 1024 })),
  timestamp: Type.Optional(Timestamp),
});
export type PrinterTestAck = Static<typeof PrinterTestAckSchema>;

export const PrinterTestResultSchema = Type.Object({
  printerId: Id,
  correlationId: Type.Optional(Type.String({ maxLength: 128 })),
  success: Type.Boolean(),
  error: Type.Optional(Type.String({ maxLength: 2048 })),
  message: Type.Optional(Type.String({ maxLength: 2048 })),
  timestamp: Type.Optional(Timestamp),
  /** Milliseconds the agent spent. */
  processingTime: Type.Optional(Type.Number({ minimum: 0 })),
});
export type PrinterTestResult = Static<typeof PrinterTestResultSchema>;

const JobReportBase = {
  jobId: Id,
  printerId: Type.Optional(Id),
  timestamp: Type.Optional(Timestamp),
};

export const PrintJobStartedSchema = Type.Object({ ...JobReportBase });
export const PrintJobCompletedSchema = Type.Object({
  ...JobReportBase,
  success: Type.Optional(Type.Boolean()),
  /** Milliseconds from the first byte to the last. */
  processingTime: Type.Optional(Type.Number({ minimum: 0 })),
});
export const PrintJobFailedSchema = Type.Object({
  ...JobReportBase,
  error: Type.Optional(Type.Union([Type.String({ maxLength: 2048 }), Type.Unknown()])),
});
/** v2: bytes may have reached the printer but completion is unknown. Never re-sent. */
export const PrintJobUnconfirmedSchema = Type.Object({
  ...JobReportBase,
  reason: Type.String({ maxLength: 2048 }),
});
export type PrintJobStarted = Static<typeof PrintJobStartedSchema>;
export type PrintJobCompleted = Static<typeof PrintJobCompletedSchema>;
export type PrintJobFailed = Static<typeof PrintJobFailedSchema>;
export type PrintJobUnconfirmed = Static<typeof PrintJobUnconfirmedSchema>;

/**
 * v2: an application-level ping the agent sends every 15 s with an
 * acknowledgement; the round trip is its latency sample. The gateway answers
 * `{ok: true, data: {serverTime}}`.
 */
export const AgentPingSchema = Type.Object({ timestamp: Type.Optional(Timestamp) });

/**
 * v2: the agent found its journal damaged at start-up (acknowledged; sent until it is). The
 * damaged file was kept aside, readable entries recovered, and the jobs that may have lost an
 * entry made `unconfirmed` (each also reported with `print:job:unconfirmed`).
 */
export const AgentJournalDamagedSchema = Type.Object({
  /** ISO 8601 time the agent found the damage. */
  at: Type.String({ minLength: 1, maxLength: 64 }),
  /** Name of the damaged file kept beside the new journal. */
  file: ShortText,
  damagedLines: Type.Integer({ minimum: 0 }),
  recoveredEntries: Type.Integer({ minimum: 0 }),
  unconfirmedJobIds: Type.Array(Id, { maxItems: 500 }),
});
export type AgentJournalDamaged = Static<typeof AgentJournalDamagedSchema>;

/** Legacy discovery-cycle events: accepted and counted, nothing else depends on them. */
export const PrinterSyncSuccessSchema = Type.Object({
  printer: Type.Optional(Type.Unknown()),
  backendId: Type.Optional(Type.Unknown()),
  timestamp: Type.Optional(Timestamp),
});
export const PrinterSyncBatchCompletedSchema = Type.Object({
  results: Type.Optional(Type.Unknown()),
  timestamp: Type.Optional(Timestamp),
});
export const PrinterSyncErrorSchema = Type.Object({
  error: Type.Optional(Type.Unknown()),
  printers: Type.Optional(Type.Unknown()),
  timestamp: Type.Optional(Timestamp),
});

/**
 * Every event an agent may emit, with its payload schema. Reports that change a
 * job's state carry a Socket.IO acknowledgement (v2 agents keep them in an
 * outbox until acked); the others may be acked or not.
 */
export const AGENT_EVENT_SCHEMAS = {
  'join:branch': JoinBranchSchema,
  'desktop:status': DesktopStatusSchema,
  'printer:discovered': PrinterDiscoveredSchema,
  'printer:status:update': PrinterStatusUpdateSchema,
  'desktop:health:report': DesktopHealthReportSchema,
  'desktop:health:degraded': DesktopHealthDegradedSchema,
  'printer:test:ack': PrinterTestAckSchema,
  'printer:test:result': PrinterTestResultSchema,
  'print:job:started': PrintJobStartedSchema,
  'print:job:completed': PrintJobCompletedSchema,
  'print:job:failed': PrintJobFailedSchema,
  'print:job:unconfirmed': PrintJobUnconfirmedSchema,
  'agent:ping': AgentPingSchema,
  'agent:journal:damaged': AgentJournalDamagedSchema,
  'printer:sync:success': PrinterSyncSuccessSchema,
  'printer:sync:batch-completed': PrinterSyncBatchCompletedSchema,
  'printer:sync:error': PrinterSyncErrorSchema,
} as const satisfies Record<string, TSchema>;

export type AgentEventName = keyof typeof AGENT_EVENT_SCHEMAS;
export type AgentEventPayload<E extends AgentEventName> = Static<(typeof AGENT_EVENT_SCHEMAS)[E]>;
