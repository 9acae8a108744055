/** Rows one purge batch deleted, by table (tables it did not touch are absent or 0). */
export type PurgedRows = Partial<Record<RetentionTable, number>>;

/** The tables the retention purge deletes from. */
export type RetentionTable =
  | 'audit_log'
  | 'print_jobs'
  | 'print_job_events'
  | 'webhook_deliveries'
  | 'webhook_attempts'
  | 'events'
  | 'device_sessions'
  | 'devices'
  | 'device_health_reports'
  | 'paper_checks';

/** What one batch did: the rows it deleted, or `busy` when another process holds the purge. */
export type PurgeBatch = { busy: true } | { busy: false; purged: PurgedRows; primary: number };

/**
 * Deletes rows past their retention, at most `limit` of the batch's own table per call, each call
 * one short transaction. Calls of several processes at once are safe: a batch runs only while it
 * holds the purge's advisory lock (`busy` otherwise), and the rows it picks are locked with SKIP
 * LOCKED, so a row being changed elsewhere is left for a later run. It is the gateway's own
 * cross-tenant work: callers run it in the gateway scope (decision 0007).
 *
 * `primary` is the count of the batch's own table (the one `limit` applies to); a batch with
 * `primary < limit` found nothing more to delete.
 */
export interface RetentionStore {
  /** Audit log entries recorded before `before`. */
  purgeAudit(before: Date, limit: number): Promise<PurgeBatch>;
  /** Jobs in a final state last changed before `before`, with their history (`print_job_events`). */
  purgeJobs(before: Date, limit: number): Promise<PurgeBatch>;
  /**
   * Webhook deliveries no longer pending (delivered or given up) whose creation, first attempt and
   * delivery are all before `before`, with their attempts. Pending deliveries are never touched.
   */
  purgeWebhookDeliveries(before: Date, limit: number): Promise<PurgeBatch>;
  /**
   * Published events (with a seq) created before `before` that no webhook delivery refers to.
   * Unpublished events and events a delivery still refers to are kept.
   */
  purgeEvents(before: Date, limit: number): Promise<PurgeBatch>;
  /** Agent sessions closed before `before`. Open sessions are never touched, however old. */
  purgeDeviceSessions(before: Date, limit: number): Promise<PurgeBatch>;
  /**
   * Devices last seen (connected) before `before` that have no open session, with their health
   * reports and their sessions. An agent that connects again later is recorded as a new device.
   */
  purgeDevices(before: Date, limit: number): Promise<PurgeBatch>;
  /**
   * Paper checks printed before `before`, confirmed or not, but each printer's newest: the printer's
   * view shows when paper was last checked, however long ago.
   */
  purgePaperChecks(before: Date, limit: number): Promise<PurgeBatch>;
}
