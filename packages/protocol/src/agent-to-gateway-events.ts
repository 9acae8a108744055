import type {
  AgentPong,
  BranchJoined,
  DesktopHealthAcknowledged,
  DesktopStatusAcknowledged,
  JobReportReply,
  PrinterDiscoveryAcknowledged,
  PrinterStatusAcknowledged,
  Received,
} from './agent-event-replies.js';
import type { AgentEventPayload as P } from './agent-events.js';
import type { Ack } from './errors.js';

/**
 * Socket.IO events from an agent to the gateway (docs/protocol.md#events-from-agents, with the v2 additions):
 * an agent's `EmitEvents`, the gateway's `ListenEvents`. Payload schemas: `AGENT_EVENT_SCHEMAS`;
 * acknowledgement data: `AGENT_EVENT_REPLY_SCHEMAS`.
 *
 * The acknowledgement is optional on every event: legacy clients never ask for one, and v2
 * agents ask for one where they must know the gateway recorded the event (job reports,
 * `printer:discovered`, `agent:ping`, `agent:journal:damaged`). The gateway answers whenever
 * asked, `{ok: false, error}` for a rejected event (which also gets an `error:event`).
 */
export interface AgentToGatewayEvents {
  /** Join the licence's branch; another branch is refused with `FORBIDDEN`. */
  'join:branch': (payload: P<'join:branch'>, ack?: Ack<BranchJoined>) => void;
  /** `ready`/`connected` is answered with `printer:status:request` too. */
  'desktop:status': (payload: P<'desktop:status'>, ack?: Ack<DesktopStatusAcknowledged>) => void;
  /** A printer the agent reaches; upserted. The reply carries the gateway's id for it. */
  'printer:discovered': (payload: P<'printer:discovered'>, ack?: Ack<PrinterDiscoveryAcknowledged>) => void;
  /** Statuses of printers of the agent's branch (others are ignored). */
  'printer:status:update': (payload: P<'printer:status:update'>, ack?: Ack<PrinterStatusAcknowledged>) => void;
  /** v2, every 5 minutes. */
  'desktop:health:report': (payload: P<'desktop:health:report'>, ack?: Ack<DesktopHealthAcknowledged>) => void;
  /** v2: pongs late or latency high; raises an alert to the tenant's admins. */
  'desktop:health:degraded': (payload: P<'desktop:health:degraded'>, ack?: Ack<Received>) => void;
  /** A `printer:test` arrived. */
  'printer:test:ack': (payload: P<'printer:test:ack'>, ack?: Ack<Received>) => void;
  /** How a `printer:test` ended. */
  'printer:test:result': (payload: P<'printer:test:result'>, ack?: Ack<Received>) => void;
  /** A job's first byte is about to leave (the job is `printing`). */
  'print:job:started': (payload: P<'print:job:started'>, ack?: Ack<JobReportReply>) => void;
  /** Every byte went out and the printer confirmed; `success: false` means failed. */
  'print:job:completed': (payload: P<'print:job:completed'>, ack?: Ack<JobReportReply>) => void;
  /** Nothing printed, and retrying cannot help. */
  'print:job:failed': (payload: P<'print:job:failed'>, ack?: Ack<JobReportReply>) => void;
  /** v2: bytes may have reached the printer; the job is never sent again. */
  'print:job:unconfirmed': (payload: P<'print:job:unconfirmed'>, ack?: Ack<JobReportReply>) => void;
  /** v2: the application ping; its round trip is a latency sample. */
  'agent:ping': (payload: P<'agent:ping'>, ack?: Ack<AgentPong>) => void;
  /** v2: the journal was found damaged at start-up; sent until acknowledged. */
  'agent:journal:damaged': (payload: P<'agent:journal:damaged'>, ack?: Ack<Received>) => void;
  /** Legacy discovery cycle: one printer synchronised over REST. */
  'printer:sync:success': (payload: P<'printer:sync:success'>, ack?: Ack<Received>) => void;
  /** Legacy discovery cycle: the REST batch ended. */
  'printer:sync:batch-completed': (payload: P<'printer:sync:batch-completed'>, ack?: Ack<Received>) => void;
  /** Legacy discovery cycle: the REST batch failed. */
  'printer:sync:error': (payload: P<'printer:sync:error'>, ack?: Ack<Received>) => void;
}
