/**
 * Kinds of event in the outbox (migration 008's `events`): what webhooks deliver and the feed
 * (`GET /printing/events`) replays. `job.<state>` for every state a job enters, `job.queued`
 * included (its creation); `licence.<change>` for issue, revoke, rotate, suspend, activate,
 * bind, unbind.
 */
export const EVENT_TYPE_PREFIXES = ['job', 'agent', 'printer', 'licence'] as const;

/** Agent and printer event types (job and licence types are `job.<state>` and `licence.<change>`). */
export const AGENT_EVENT_TYPES = [
  'agent.connected',
  'agent.disconnected',
  'agent.health_alert',
  // The branch's standby agent took over from the active one (agent-leases.ts).
  'agent.switched',
] as const;
export const PRINTER_EVENT_TYPES = ['printer.status_changed'] as const;

/**
 * One change, as written to the outbox in the transaction that makes it. Events of one subject
 * (a job, a device, a printer, a licence) are delivered in the order they were written.
 */
export interface OutboxEvent {
  companyId: string;
  /** The branch the subject belongs to; null only for company-wide events. */
  branchId: string | null;
  /** E.g. `job.completed`, `agent.connected`, `printer.status_changed`, `licence.revoked`. */
  type: string;
  /** The job, device, printer or licence id: the ordering key of webhook deliveries. */
  subjectId: string;
  /** The body's `data`: plain JSON, never ticket bytes, keys or secrets. */
  data: Record<string, unknown>;
}
