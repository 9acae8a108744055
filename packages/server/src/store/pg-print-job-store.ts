import type { JobState, JobType } from '@printermaster/protocol';
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type {
  IdempotencyClaim,
  InsertResult,
  NewPrintJob,
  PrintJob,
  PrintJobEvent,
  PrintJobListFilter,
  PrintJobStore,
  PrintJobWithContent,
  TransitionPatch,
} from '../core/ports/print-job-store.js';
import type { DatabaseSchema, PrintJobTable } from './database-schema.js';
import { statementBatcher } from './statement-batcher.js';

const JOB_COLUMNS = [
  'id',
  'companyId',
  'branchId',
  'printerId',
  'state',
  'type',
  'priority',
  'copies',
  'byteLength',
  'orderData',
  'idempotencyKey',
  'reprintOf',
  'deviceId',
  'reason',
  'attempts',
  'usefulUntil',
  'createdAt',
  'updatedAt',
  'completedAt',
] as const;

type JobRow = Pick<Selectable<PrintJobTable>, (typeof JOB_COLUMNS)[number]>;

interface TransitionRequest {
  id: string;
  from: readonly JobState[];
  to: JobState;
  actor: string;
  patch: TransitionPatch;
}

type TransitionOutcome = { job: PrintJob; from: JobState };

/** Signals "the key was taken" out of the transaction so that it rolls back. */
class KeyTaken extends Error {}

export class PgPrintJobStore implements PrintJobStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async insert(job: NewPrintJob, idempotency?: IdempotencyClaim): Promise<InsertResult> {
    if (!idempotency) return { created: true, job: await this.insertPlain(job) };
    try {
      return await this.db.transaction().execute(async (trx) => {
        await trx
          .deleteFrom('idempotencyKeys')
          .where('companyId', '=', job.companyId)
          .where('key', '=', idempotency.key)
          .where('createdAt', '<', idempotency.notBefore)
          .execute();
        const row = await trx
          .insertInto('printJobs')
          .values(jobRow(job, idempotency.key))
          .returning(JOB_COLUMNS)
          .executeTakeFirstOrThrow();
        // A concurrent claim of the same key waits here for the other transaction and then inserts nothing.
        const claimed = await trx
          .insertInto('idempotencyKeys')
          .values({
            companyId: job.companyId,
            key: idempotency.key,
            requestHash: idempotency.requestHash,
            jobId: job.id,
          })
          .onConflict((oc) => oc.columns(['companyId', 'key']).doNothing())
          .returning('jobId')
          .executeTakeFirst();
        if (!claimed) throw new KeyTaken();
        await insertEvent(trx, job.id, job.companyId, null, 'queued', job.actor, null);
        return { created: true as const, job: toJob(row) };
      });
    } catch (err) {
      if (!(err instanceof KeyTaken)) throw err;
      const existing = await this.db
        .selectFrom('idempotencyKeys')
        .innerJoin('printJobs', 'printJobs.id', 'idempotencyKeys.jobId')
        .select(JOB_COLUMNS.map((c) => `printJobs.${c}` as const))
        .select('idempotencyKeys.requestHash')
        .where('idempotencyKeys.companyId', '=', job.companyId)
        .where('idempotencyKeys.key', '=', idempotency.key)
        .executeTakeFirstOrThrow();
      const { requestHash, ...jobRow } = existing;
      return { created: false, job: toJob(jobRow as JobRow), requestHash };
    }
  }

  /**
   * Jobs without an idempotency key arriving together (many tills posting at once) are stored in
   * one statement, each row with its creation event: one round trip and one commit for all.
   */
  private readonly plainInserts = statementBatcher<NewPrintJob, PrintJob>(
    async (jobs) => {
      const rows = await this.db
        .with('job', (db) =>
          db
            .insertInto('printJobs')
            .values(jobs.map((j) => jobRow(j, null)))
            .returning(JOB_COLUMNS),
        )
        .with('event', (db) =>
          db
            .insertInto('printJobEvents')
            .columns(['jobId', 'companyId', 'fromState', 'toState', 'actor', 'reason'])
            .expression(
              // A job alone (an idle gateway) skips the join, which only pairs rows with their actors.
              jobs.length === 1
                ? sql`SELECT j.id, j.company_id, NULL, 'queued', ${jobs[0]?.actor}::text, NULL FROM job AS j`
                : sql`SELECT j.id, j.company_id, NULL, 'queued', a.actor, NULL FROM job AS j
                    JOIN unnest(${jobs.map((j) => j.id)}::text[], ${jobs.map((j) => j.actor)}::text[]) AS a(id, actor)
                    ON a.id = j.id`,
            ),
        )
        .selectFrom('job')
        .selectAll()
        .execute();
      const byId = new Map(rows.map((r) => [r.id, toJob(r as JobRow)]));
      return jobs.map((j) => byId.get(j.id) ?? new Error(`job ${j.id} was not stored`));
    },
    { maxBatchSize: 128 },
  );

  private insertPlain(job: NewPrintJob): Promise<PrintJob> {
    return this.plainInserts.load(job);
  }

  async find(id: string): Promise<PrintJob | undefined> {
    const row = await this.db.selectFrom('printJobs').select(JOB_COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && toJob(row);
  }

  async findWithContent(id: string): Promise<PrintJobWithContent | undefined> {
    const row = await this.db
      .selectFrom('printJobs')
      .select([...JOB_COLUMNS, 'content'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row && { ...toJob(row), content: row.content };
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
    let q = this.db.selectFrom('printJobs').select(JOB_COLUMNS);
    if (f.companyId) q = q.where('companyId', '=', f.companyId);
    if (f.branchId) q = q.where('branchId', '=', f.branchId);
    if (f.printerId) q = q.where('printerId', '=', f.printerId);
    if (f.states && f.states.length > 0) q = q.where('state', 'in', f.states);
    if (f.createdAfter) q = q.where('createdAt', '>=', f.createdAfter);
    if (f.createdBefore) q = q.where('createdAt', '<', f.createdBefore);
    const cursor = f.cursor;
    if (cursor) {
      q = q.where((eb) =>
        eb.or([
          eb('createdAt', '<', cursor.createdAt),
          eb.and([eb('createdAt', '=', cursor.createdAt), eb('id', '<', cursor.id)]),
        ]),
      );
    }
    const rows = await q.orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
    return rows.map(toJob);
  }

  transition(
    id: string,
    from: readonly JobState[],
    to: JobState,
    actor: string,
    patch: TransitionPatch = {},
  ): Promise<{ job: PrintJob; from: JobState } | undefined> {
    return this.transitions.load({ id, from, to, actor, patch });
  }

  /**
   * State changes of many jobs arriving together (agents' reports, a dispatch pass marking its
   * jobs sent) share one statement, so one round trip and one commit: on a busy gateway a job's
   * four changes cost a fraction of a statement each instead of one each.
   */
  private readonly transitions = statementBatcher<TransitionRequest, TransitionOutcome | undefined>(
    (requests) => this.transitionBatch(requests),
    { maxBatchSize: 256 },
  );

  /**
   * Never throws: each caller gets its outcome or its own error. The statement batcher's generic
   * fallback (every key again) must not run here, since a batch with the same job twice commits in
   * two statements and the first may already have moved its jobs.
   */
  private async transitionBatch(
    requests: readonly TransitionRequest[],
  ): Promise<(TransitionOutcome | undefined | Error)[]> {
    // Two changes of one job in one statement would both read the state before either; the
    // later ones wait for a statement of their own (rare: a job's reports are applied in turn).
    const first: number[] = [];
    const later: number[] = [];
    const seen = new Set<string>();
    for (const [i, r] of requests.entries()) {
      if (seen.has(r.id)) later.push(i);
      else {
        seen.add(r.id);
        first.push(i);
      }
    }
    const results: (TransitionOutcome | undefined | Error)[] = new Array(requests.length);
    const firstResults = await this.transitionGroup(first.map((i) => requests[i] as TransitionRequest));
    for (const [k, i] of first.entries()) results[i] = firstResults[k];
    if (later.length > 0) {
      const laterResults = await this.transitionBatch(later.map((i) => requests[i] as TransitionRequest));
      for (const [k, i] of later.entries()) results[i] = laterResults[k];
    }
    return results;
  }

  /**
   * Changes of different jobs in one statement. If it fails, none of it was committed: each change
   * is then tried alone, one after another in the order they came, and only those that fail again
   * get an error (a row locked too long, a deadlock victim, a dropped connection).
   */
  private async transitionGroup(
    requests: readonly TransitionRequest[],
  ): Promise<(TransitionOutcome | undefined | Error)[]> {
    try {
      return await this.transitionDistinct(requests);
    } catch (err) {
      if (requests.length === 1) return [asError(err)];
      const results: (TransitionOutcome | undefined | Error)[] = [];
      for (const request of requests) {
        try {
          results.push(await this.transitionOne(request));
        } catch (e) {
          results.push(asError(e));
        }
      }
      return results;
    }
  }

  /** One statement for jobs that are all different: lock the rows, move each only from its expected states, record the events. */
  private async transitionDistinct(requests: readonly TransitionRequest[]): Promise<(TransitionOutcome | undefined)[]> {
    // A change alone (an idle gateway) takes the plain statement: planning the array form costs
    // PostgreSQL about a millisecond more, on each of a job's four changes.
    if (requests.length === 1) return [await this.transitionOne(requests[0] as TransitionRequest)];
    const column = <T>(pick: (r: TransitionRequest) => T): T[] => requests.map(pick);
    // `before` locks the rows in id order (so two processes' batches cannot deadlock) and sees
    // each as it is after any concurrent change committed.
    const { rows } = await sql<JobRow & { previousState: JobState; ord: string }>`
      WITH input AS (
        SELECT * FROM unnest(
          ${column((r) => r.id)}::text[],
          ${column((r) => r.from.join(','))}::text[],
          ${column((r) => r.to)}::text[],
          ${column((r) => r.actor)}::text[],
          ${column((r) => r.patch.reason !== undefined)}::boolean[],
          ${column((r) => r.patch.reason ?? null)}::text[],
          ${column((r) => r.patch.deviceId ?? null)}::text[],
          ${column((r) => r.patch.completedAt?.toISOString() ?? null)}::timestamptz[],
          ${column((r) => (r.patch.incrementAttempts ? 1 : 0))}::int[],
          ${column((r) => r.patch.onlyInBranch ?? null)}::text[],
          ${column((r) => r.patch.unconfirmedReason ?? null)}::text[],
          ${column((r) => r.patch.onlyWithActiveLicence ?? null)}::text[]
        ) WITH ORDINALITY AS t(id, from_states, to_state, actor, reason_given, reason, device_id, completed_at, incr,
          only_branch, unconfirmed_reason, licence, ord)
      ), before AS (
        SELECT j.id, j.state, j.company_id FROM print_jobs j
        WHERE j.id IN (SELECT id FROM input) ORDER BY j.id FOR NO KEY UPDATE
      ), moved AS (
        UPDATE print_jobs AS j SET
          state = i.to_state,
          updated_at = now(),
          reason = CASE WHEN i.reason_given THEN i.reason ELSE j.reason END,
          device_id = COALESCE(i.device_id, j.device_id),
          completed_at = COALESCE(i.completed_at, j.completed_at),
          attempts = j.attempts + i.incr
        FROM before AS b, input AS i
        WHERE j.id = b.id AND i.id = b.id AND b.state = ANY (string_to_array(i.from_states, ','))
          AND (i.only_branch IS NULL OR j.branch_id = i.only_branch)
          AND (b.state <> 'unconfirmed' OR i.unconfirmed_reason IS NULL OR j.reason = i.unconfirmed_reason)
          AND (i.licence IS NULL OR EXISTS (SELECT 1 FROM licenses l WHERE l.id = i.licence
            AND l.status = 'active' AND (l.expires_at IS NULL OR l.expires_at > now())))
        RETURNING ${sql.join(JOB_COLUMNS.map((c) => sql.ref(`j.${snakeCase(c)}`)))}, b.state AS previous_state,
          i.ord, i.actor AS event_actor, i.reason AS event_reason
      ), event AS (
        INSERT INTO print_job_events (job_id, company_id, from_state, to_state, actor, reason)
        SELECT id, company_id, previous_state, state, event_actor, event_reason FROM moved ORDER BY ord
      )
      SELECT * FROM moved`.execute(this.db);
    const results: (TransitionOutcome | undefined)[] = new Array(requests.length).fill(undefined);
    for (const row of rows) results[Number(row.ord) - 1] = { job: toJob(row), from: row.previousState };
    return results;
  }

  /** The same change for one job: lock the row, move it only from an expected state, record the event. */
  private async transitionOne({
    id,
    from,
    to,
    actor,
    patch,
  }: TransitionRequest): Promise<TransitionOutcome | undefined> {
    const reasonGiven = patch.reason !== undefined;
    const { rows } = await sql<JobRow & { previousState: JobState }>`
      WITH before AS (
        SELECT id, state, company_id FROM print_jobs WHERE id = ${id} FOR NO KEY UPDATE
      ), moved AS (
        UPDATE print_jobs AS j SET
          state = ${to},
          updated_at = now(),
          reason = CASE WHEN ${reasonGiven} THEN ${patch.reason ?? null}::text ELSE j.reason END,
          device_id = COALESCE(${patch.deviceId ?? null}::text, j.device_id),
          completed_at = COALESCE(${patch.completedAt ?? null}::timestamptz, j.completed_at),
          attempts = j.attempts + ${patch.incrementAttempts ? 1 : 0}::int
        FROM before AS b
        WHERE j.id = b.id AND b.state IN (${sql.join([...from])})
          AND (${patch.onlyInBranch ?? null}::text IS NULL OR j.branch_id = ${patch.onlyInBranch ?? null}::text)
          AND (b.state <> 'unconfirmed' OR ${patch.unconfirmedReason ?? null}::text IS NULL
            OR j.reason = ${patch.unconfirmedReason ?? null}::text)
          AND (${patch.onlyWithActiveLicence ?? null}::text IS NULL OR EXISTS (
            SELECT 1 FROM licenses l WHERE l.id = ${patch.onlyWithActiveLicence ?? null}::text
              AND l.status = 'active' AND (l.expires_at IS NULL OR l.expires_at > now())))
        RETURNING ${sql.join(JOB_COLUMNS.map((c) => sql.ref(`j.${snakeCase(c)}`)))}, b.state AS previous_state
      ), event AS (
        INSERT INTO print_job_events (job_id, company_id, from_state, to_state, actor, reason)
        SELECT id, company_id, previous_state, ${to}, ${actor}, ${patch.reason ?? null}::text FROM moved
      )
      SELECT * FROM moved`.execute(this.db);
    const row = rows[0];
    return row && { job: toJob(row), from: row.previousState };
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
      .where('state', 'in', ['queued', 'sent']);
    if (exclude.length > 0) query = query.where('id', 'not in', [...exclude]);
    const rows = await query.orderBy('priority', 'desc').orderBy('createdAt').orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ ...toJob(r), content: r.content }));
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
        .where('state', 'in', ['queued', 'sent'])
        .where('branchId', 'in', [...new Set(branchIds)])
        .execute();
      const withJobs = new Set(rows.map((r) => r.branchId));
      return branchIds.map((id) => withJobs.has(id));
    },
    { gatherMs: 20 },
  );

  /** Sends the questions still gathering now and waits for them (before the database closes). */
  async flush(): Promise<void> {
    await Promise.all([this.pendingBranches.flush(), this.plainInserts.flush(), this.transitions.flush()]);
  }

  hasPending(branchId: string): Promise<boolean> {
    return this.pendingBranches.load(branchId);
  }

  async hasOtherPending(branchId: string, exceptId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('printJobs')
      .select('id')
      .where('branchId', '=', branchId)
      .where('state', 'in', ['queued', 'sent'])
      .where('id', '!=', exceptId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async expireDue(now: Date, reason: string, limit: number): Promise<PrintJob[]> {
    const moved = await this.sweep(['queued'], 'expired', now, reason, limit);
    return moved.map((m) => m.job);
  }

  async unconfirmOverdue(
    usefulUntilBefore: Date,
    reason: string,
    limit: number,
  ): Promise<{ job: PrintJob; from: JobState }[]> {
    return this.sweep(['sent', 'accepted', 'printing'], 'unconfirmed', usefulUntilBefore, reason, limit);
  }

  /** Moves up to `limit` jobs in `from` whose useful-until time is before `before` to `to`, by the gateway. */
  private async sweep(
    from: readonly JobState[],
    to: JobState,
    before: Date,
    reason: string,
    limit: number,
  ): Promise<{ job: PrintJob; from: JobState }[]> {
    // Rows another process holds are skipped (SKIP LOCKED): the next sweep gets them.
    const { rows } = await sql<JobRow & { previousState: JobState }>`
      WITH due AS (
        SELECT id, state FROM print_jobs
        WHERE state IN (${sql.join([...from])}) AND useful_until < ${before}
        LIMIT ${limit} FOR NO KEY UPDATE SKIP LOCKED
      ), moved AS (
        UPDATE print_jobs AS j SET state = ${to}, reason = ${reason}, updated_at = now()
        FROM due AS d WHERE j.id = d.id
        RETURNING ${sql.join(JOB_COLUMNS.map((c) => sql.ref(`j.${snakeCase(c)}`)))}, d.state AS previous_state
      ), event AS (
        INSERT INTO print_job_events (job_id, company_id, from_state, to_state, actor, reason)
        SELECT id, company_id, previous_state, ${to}, 'gateway', ${reason} FROM moved
      )
      SELECT * FROM moved`.execute(this.db);
    return rows.map((row) => ({ job: toJob(row), from: row.previousState }));
  }

  async purgeIdempotencyKeys(before: Date): Promise<number> {
    const result = await this.db.deleteFrom('idempotencyKeys').where('createdAt', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async countByState(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('printJobs')
      .select(['state', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('state')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }
}

async function insertEvent(
  trx: Transaction<DatabaseSchema>,
  jobId: string,
  companyId: string,
  fromState: string | null,
  toState: string,
  actor: string,
  reason: string | null,
): Promise<void> {
  await trx.insertInto('printJobEvents').values({ jobId, companyId, fromState, toState, actor, reason }).execute();
}

/** The stored row of a new job, `queued`. */
function jobRow(job: NewPrintJob, idempotencyKey: string | null) {
  return {
    id: job.id,
    companyId: job.companyId,
    branchId: job.branchId,
    printerId: job.printerId,
    state: 'queued',
    type: job.type,
    priority: job.priority,
    copies: job.copies,
    content: job.content,
    byteLength: job.content.byteLength,
    orderData: job.orderData === null ? null : JSON.stringify(job.orderData),
    idempotencyKey,
    reprintOf: job.reprintOf,
    usefulUntil: job.usefulUntil,
    createdAt: job.createdAt,
    updatedAt: job.createdAt,
  };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function snakeCase(column: string): string {
  return column.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function toJob(row: JobRow): PrintJob {
  return {
    id: row.id,
    companyId: row.companyId,
    branchId: row.branchId,
    printerId: row.printerId,
    state: row.state as JobState,
    type: row.type as JobType,
    priority: row.priority,
    copies: row.copies,
    byteLength: row.byteLength,
    orderData: row.orderData,
    idempotencyKey: row.idempotencyKey,
    reprintOf: row.reprintOf,
    deviceId: row.deviceId,
    reason: row.reason,
    attempts: row.attempts,
    usefulUntil: row.usefulUntil,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    completedAt: row.completedAt,
  };
}
