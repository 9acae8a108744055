import type { JobState, OpenJobState } from '@printermaster/protocol';
import { type Kysely, sql } from 'kysely';
import { DISPATCHABLE_JOB_STATES } from '../core/job-state-machine.js';
import { planSweep } from '../core/job-sweeps.js';
import type {
  IdempotencyClaim,
  InsertResult,
  NewPrintJob,
  PrintJob,
  PrintJobCsvPage,
  PrintJobEvent,
  PrintJobListFilter,
  PrintJobStore,
  PrintJobWithContent,
  StationMove,
  TransitionPatch,
} from '../core/ports/print-job-store.js';
import type { DatabaseSchema } from './database-schema.js';
import { PgJobInserts } from './pg-job-inserts.js';
import { jobListQuery } from './pg-job-list-query.js';
import { PgJobMoves } from './pg-job-moves.js';
import { readPrintJobCsvPage } from './pg-print-job-csv.js';
import { JOB_COLUMNS, toPrintJob } from './pg-print-job-rows.js';
import { moveStationJobs, takeMovedFrom } from './pg-station-moves.js';
import { statementBatcher } from './statement-batcher.js';

/**
 * Print jobs on PostgreSQL or PGlite: reads here; creation in PgJobInserts and every state change
 * in PgJobMoves, each one statement that also writes the job's event.
 */
export class PgPrintJobStore implements PrintJobStore {
  private readonly inserts: PgJobInserts;
  private readonly moves: PgJobMoves;

  constructor(private readonly db: Kysely<DatabaseSchema>) {
    this.inserts = new PgJobInserts(db);
    this.moves = new PgJobMoves(db);
  }

  insert(job: NewPrintJob, idempotency?: IdempotencyClaim): Promise<InsertResult> {
    return this.inserts.insert(job, idempotency);
  }

  async find(id: string): Promise<PrintJob | undefined> {
    const row = await this.db.selectFrom('printJobs').select(JOB_COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && toPrintJob(row);
  }

  async findWithContent(id: string): Promise<PrintJobWithContent | undefined> {
    const row = await this.db
      .selectFrom('printJobs')
      .select([...JOB_COLUMNS, 'content'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row && { ...toPrintJob(row), content: row.content };
  }

  async events(id: string): Promise<PrintJobEvent[]> {
    const rows = await this.db
      .selectFrom('printJobEvents')
      .select(['jobId', 'fromState', 'toState', 'actor', 'reason', 'createdAt'])
      .where('jobId', '=', id)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      jobId: r.jobId,
      fromState: r.fromState as JobState | null,
      toState: r.toState as JobState,
      actor: r.actor,
      reason: r.reason,
      createdAt: r.createdAt,
    }));
  }

  async list(f: PrintJobListFilter): Promise<PrintJob[]> {
    const rows = await jobListQuery(this.db, f).select(JOB_COLUMNS).execute();
    return rows.map(toPrintJob);
  }

  csvPage(f: PrintJobListFilter): Promise<PrintJobCsvPage> {
    return readPrintJobCsvPage(this.db, f, () => this.list(f));
  }

  transition(
    id: string,
    from: readonly JobState[],
    to: JobState,
    actor: string,
    patch: TransitionPatch = {},
  ): Promise<{ job: PrintJob; from: JobState } | undefined> {
    return this.moves.move({ id, from, to, actor, patch });
  }

  async pendingForBranch(
    branchId: string,
    limit: number,
    exclude: readonly string[] = [],
  ): Promise<PrintJobWithContent[]> {
    let query = this.db
      .selectFrom('printJobs')
      .select([...JOB_COLUMNS, 'content'])
      .where('branchId', '=', branchId)
      .where('state', 'in', DISPATCHABLE_JOB_STATES);
    if (exclude.length > 0) query = query.where('id', 'not in', [...exclude]);
    const rows = await query.orderBy('priority', 'desc').orderBy('createdAt').orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ ...toPrintJob(r), content: r.content }));
  }

  /**
   * Agents connecting together (a reconnect storm) ask in one statement. The question waits
   * up to 20 ms for company: an agent's waiting jobs go out that much later, and a storm's
   * thousands of connects cost a statement per window rather than one each.
   */
  private readonly pendingBranches = statementBatcher<string, boolean>(
    async (branchIds) => {
      const rows = await this.db
        .selectFrom('printJobs')
        .select('branchId')
        .distinct()
        .where('state', 'in', DISPATCHABLE_JOB_STATES)
        .where('branchId', 'in', [...new Set(branchIds)])
        .execute();
      const withJobs = new Set(rows.map((r) => r.branchId));
      return branchIds.map((id) => withJobs.has(id));
    },
    { gatherMs: 20 },
  );

  /** Sends the statements still gathering now and waits for them (before the database closes). */
  async flush(): Promise<void> {
    await Promise.all([this.pendingBranches.flush(), this.inserts.flush(), this.moves.flush()]);
  }

  hasPending(branchId: string): Promise<boolean> {
    return this.pendingBranches.load(branchId);
  }

  async hasOtherPending(branchId: string, exceptId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('printJobs')
      .select('id')
      .where('branchId', '=', branchId)
      .where('state', 'in', DISPATCHABLE_JOB_STATES)
      .where('id', '!=', exceptId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async expireDue(now: Date, reason: string, limit: number): Promise<PrintJob[]> {
    const moved = await this.moves.sweep({ ...planSweep('expire'), reason }, now, limit);
    return moved.map((m) => m.job);
  }

  unconfirmOverdue(
    usefulUntilBefore: Date,
    reason: string,
    limit: number,
  ): Promise<{ job: PrintJob; from: JobState }[]> {
    return this.moves.sweep({ ...planSweep('giveUpOnOutcome'), reason }, usefulUntilBefore, limit);
  }

  unconfirmForDevice(
    branchId: string,
    deviceId: string,
    reason: string,
    limit: number,
  ): Promise<{ job: PrintJob; from: JobState }[]> {
    return this.moves.sweepDevice({ ...planSweep('unconfirmForReplacedAgent'), reason }, branchId, deviceId, limit);
  }

  moveStationJobs(move: StationMove): Promise<PrintJob[]> {
    return moveStationJobs(this.db, move);
  }

  takeMovedFrom(printerId: string): Promise<PrintJob[]> {
    return takeMovedFrom(this.db, printerId);
  }

  async purgeIdempotencyKeys(before: Date): Promise<number> {
    const result = await this.db.deleteFrom('idempotencyKeys').where('createdAt', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async countOpenByState(): Promise<Record<OpenJobState, number>> {
    // Literal states, so that each count reads its partial index (migrations 006 and 015) and costs
    // what is open, not the whole history: counting every state scanned a million rows for 3.6 s.
    const [open, held] = await Promise.all([
      this.db
        .selectFrom('printJobs')
        .select(['state', (eb) => eb.fn.countAll<string>().as('n')])
        .where(sql<boolean>`state IN ('queued', 'sent', 'accepted', 'printing')`)
        .groupBy('state')
        .execute(),
      this.db
        .selectFrom('printJobs')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where(sql<boolean>`state = 'held'`)
        .executeTakeFirstOrThrow(),
    ]);
    const counts: Record<OpenJobState, number> = { queued: 0, held: Number(held.n), sent: 0, accepted: 0, printing: 0 };
    for (const row of open) counts[row.state as OpenJobState] = Number(row.n);
    return counts;
  }
}
