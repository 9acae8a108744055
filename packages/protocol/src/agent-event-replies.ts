import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { AgentEventName } from './agent-events.js';
import { ConnectionQualitySchema } from './agent-events.js';
import { AckResponseSchema } from './errors.js';
import { JobStateSchema } from './print-job.js';
import { IsoTimeSchema, WireIdSchema } from './wire-values.js';

/**
 * What the gateway answers to each agent event: the `data` of its `{ok: true, data}`
 * acknowledgement, when the agent asked for one. Several answers are also emitted as events
 * of their own (`branch:joined`, `desktop:status:acknowledged`, …) with the same payload,
 * for legacy clients, which never ask for acknowledgements.
 */

/** `join:branch` → also emitted as `branch:joined`. */
export const BranchJoinedSchema = Type.Object({ branchId: WireIdSchema, timestamp: IsoTimeSchema });
export type BranchJoined = Static<typeof BranchJoinedSchema>;

/** `desktop:status` → also emitted as `desktop:status:acknowledged`. */
export const DesktopStatusAcknowledgedSchema = Type.Object({
  status: Type.Literal('received'),
  timestamp: IsoTimeSchema,
});
export type DesktopStatusAcknowledged = Static<typeof DesktopStatusAcknowledgedSchema>;

/** `printer:discovered` → also emitted as `printer:discovery:acknowledged`. `printerId` is the gateway's id for the printer. */
export const PrinterDiscoveryAcknowledgedSchema = Type.Object({
  printerId: WireIdSchema,
  status: Type.Literal('saved'),
  timestamp: IsoTimeSchema,
});
export type PrinterDiscoveryAcknowledged = Static<typeof PrinterDiscoveryAcknowledgedSchema>;

/** `printer:status:update` → also emitted as `printer:status:acknowledged`. `printerCount`: entries in the update. */
export const PrinterStatusAcknowledgedSchema = Type.Object({
  printerCount: Type.Integer({ minimum: 0 }),
  branchId: WireIdSchema,
  timestamp: IsoTimeSchema,
});
export type PrinterStatusAcknowledged = Static<typeof PrinterStatusAcknowledgedSchema>;

/** `desktop:health:report` → also emitted as `desktop:health:acknowledged`, with the quality the gateway computed. */
export const DesktopHealthAcknowledgedSchema = Type.Object({
  received: Type.Literal(true),
  timestamp: IsoTimeSchema,
  connectionQuality: ConnectionQualitySchema,
});
export type DesktopHealthAcknowledged = Static<typeof DesktopHealthAcknowledgedSchema>;

/** The answer to events that only inform the gateway. */
export const ReceivedSchema = Type.Object({ received: Type.Literal(true) });
export type Received = Static<typeof ReceivedSchema>;

/**
 * A job report (`print:job:started` …): the job's state at the gateway after the report, the
 * same for a repeated report. A legacy client's report is ignored (`ignored: true`).
 */
export const JobReportReplySchema = Type.Union([
  Type.Object({ jobId: WireIdSchema, state: JobStateSchema }),
  Type.Object({ jobId: WireIdSchema, ignored: Type.Literal(true) }),
]);
export type JobReportReply = Static<typeof JobReportReplySchema>;

/** `agent:ping`: the gateway's clock when it answered. */
export const AgentPongSchema = Type.Object({ serverTime: IsoTimeSchema });
export type AgentPong = Static<typeof AgentPongSchema>;

/** The `data` of the gateway's acknowledgement of each agent event. */
export const AGENT_EVENT_REPLY_SCHEMAS = {
  'join:branch': BranchJoinedSchema,
  'desktop:status': DesktopStatusAcknowledgedSchema,
  'printer:discovered': PrinterDiscoveryAcknowledgedSchema,
  'printer:status:update': PrinterStatusAcknowledgedSchema,
  'desktop:health:report': DesktopHealthAcknowledgedSchema,
  'desktop:health:degraded': ReceivedSchema,
  'printer:test:ack': ReceivedSchema,
  'printer:test:result': ReceivedSchema,
  'print:job:started': JobReportReplySchema,
  'print:job:completed': JobReportReplySchema,
  'print:job:failed': JobReportReplySchema,
  'print:job:unconfirmed': JobReportReplySchema,
  'agent:ping': AgentPongSchema,
  'agent:journal:damaged': ReceivedSchema,
  'printer:sync:success': ReceivedSchema,
  'printer:sync:batch-completed': ReceivedSchema,
  'printer:sync:error': ReceivedSchema,
} as const satisfies Record<AgentEventName, TSchema>;

export type AgentEventReply<E extends AgentEventName> = Static<(typeof AGENT_EVENT_REPLY_SCHEMAS)[E]>;

/**
 * The answers the gateway also emits as events of their own, with the same payload, for legacy
 * clients: each event's name and payload schema (part of `GATEWAY_TO_AGENT_EVENT_SCHEMAS`).
 */
export const REPLY_EVENT_SCHEMAS = {
  'branch:joined': BranchJoinedSchema,
  'desktop:status:acknowledged': DesktopStatusAcknowledgedSchema,
  'printer:discovery:acknowledged': PrinterDiscoveryAcknowledgedSchema,
  'printer:status:acknowledged': PrinterStatusAcknowledgedSchema,
  'desktop:health:acknowledged': DesktopHealthAcknowledgedSchema,
} as const satisfies Record<string, TSchema>;

type AckSchemas = {
  [E in AgentEventName]: ReturnType<typeof AckResponseSchema<(typeof AGENT_EVENT_REPLY_SCHEMAS)[E]>>;
};

/**
 * The whole acknowledgement of each agent event (`{ok: true, data} | {ok: false, error}`),
 * built once, for an agent to check what the gateway answered.
 */
export const AGENT_EVENT_ACK_SCHEMAS: AckSchemas = Object.fromEntries(
  Object.entries(AGENT_EVENT_REPLY_SCHEMAS).map(([event, data]) => [event, AckResponseSchema(data)]),
) as AckSchemas;
