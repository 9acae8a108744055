import type { Clock } from './clock.js';
import type { CoreEvents } from './core-events.js';
import type { Logger } from './ports/logger.js';
import type { PurgeBatch, RetentionStore, RetentionTable } from './ports/retention-store.js';
import { runAsGateway } from './tenant-scope.js';

const DAY_MS = 86_400_000;

export interface RetentionOptions {
  /** Days audit entries are kept; 0 keeps them forever. */
  auditDays: number;
  /** Days jobs in a final state are kept after their last change; 0 keeps them forever. */
  jobsDays: number;
  /** Days finished webhook deliveries and published events are kept; 0 keeps them forever. */
  webhookDays: number;
  /** Days closed agent sessions are kept; 0 keeps them forever. */
  sessionsDays: number;
  /** Days an agent that has not connected is remembered (device, health reports); 0 forever. */
  devicesDays: number;
  /** Rows deleted per statement. */
  batchSize: number;
}

export interface RetentionPurgeDeps {
  store: RetentionStore;
  clock: Clock;
  events: CoreEvents;
  logger: Logger;
  options: RetentionOptions;
}

/** What one run deleted, by table; `busy` when another process held the purge. */
export interface RetentionRun {
  purged: Partial<Record<RetentionTable, number>>;
  busy: boolean;
}

type Step = { days: number; purge: (before: Date, limit: number) => Promise<PurgeBatch> };

/**
 * Deletes what is past its retention, a batch at a time until nothing is left, giving the event
 * loop back between batches so that a purge of millions of rows stalls nothing. Deliveries go
 * before events, since an event is kept while a delivery refers to it. Each step's cut-off is taken
 * from the clock when it starts. `stop` ends a run at its next batch (shutdown).
 */
export class RetentionPurge {
  private stopped = false;

  constructor(private readonly deps: RetentionPurgeDeps) {}

  /** One run over every table whose retention is on; logs one line with the counts. */
  run(): Promise<RetentionRun> {
    return runAsGateway(() => this.runAll());
  }

  stop(): void {
    this.stopped = true;
  }

  private async runAll(): Promise<RetentionRun> {
    const { store, options, logger, clock } = this.deps;
    const steps: Step[] = [
      { days: options.webhookDays, purge: (b, n) => store.purgeWebhookDeliveries(b, n) },
      { days: options.webhookDays, purge: (b, n) => store.purgeEvents(b, n) },
      { days: options.jobsDays, purge: (b, n) => store.purgeJobs(b, n) },
      { days: options.jobsDays, purge: (b, n) => store.purgePaperChecks(b, n) },
      { days: options.devicesDays, purge: (b, n) => store.purgeDevices(b, n) },
      { days: options.sessionsDays, purge: (b, n) => store.purgeDeviceSessions(b, n) },
      { days: options.auditDays, purge: (b, n) => store.purgeAudit(b, n) },
    ];
    const result: RetentionRun = { purged: {}, busy: false };
    const started = clock.now();
    for (const step of steps) {
      if (step.days === 0) continue;
      if (!(await this.purgeStep(step, result))) break;
    }
    const rows = Object.values(result.purged).reduce((a, b) => a + b, 0);
    logger.info(
      { purged: result.purged, busy: result.busy, durationMs: clock.now() - started },
      result.busy
        ? `Retention purge deleted ${rows} rows, then found another process purging`
        : `Retention purge deleted ${rows} rows`,
    );
    return result;
  }

  /** Batches of one step until one comes back short; false when the run should end (busy, stopped). */
  private async purgeStep(step: Step, result: RetentionRun): Promise<boolean> {
    const { options, clock, events } = this.deps;
    const before = new Date(clock.now() - step.days * DAY_MS);
    for (;;) {
      if (this.stopped) return false;
      const batch = await step.purge(before, options.batchSize);
      if (batch.busy) {
        result.busy = true;
        return false;
      }
      for (const [table, count] of Object.entries(batch.purged) as [RetentionTable, number][]) {
        result.purged[table] = (result.purged[table] ?? 0) + count;
        if (count > 0) events.emit('retentionPurged', table, count);
      }
      if (batch.primary < options.batchSize) return true;
      // Between batches: the event loop serves requests, and other processes' batches may take the lock.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
