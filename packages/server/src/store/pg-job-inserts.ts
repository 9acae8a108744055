import { type Kysely, sql } from 'kysely';
import { INITIAL_JOB_STATE } from '../core/job-state-machine.js';
import type { IdempotencyClaim, InsertResult, NewPrintJob, PrintJob } from '../core/ports/print-job-store.js';
import type { DatabaseSchema } from './database-schema.js';
import { jobEventData } from './pg-job-moves.js';
import { JOB_COLUMNS, type JobRow, newJobRow, toPrintJob } from './pg-print-job-rows.js';
import { statementBatcher } from './statement-batcher.js';

/** Signals "the key was taken" out of the transaction so that it rolls back. */
class KeyTaken extends Error {}

/** New print jobs, each stored with its creation event by one statement (createStatement). */
export class PgJobInserts {
  /**
   * Jobs without an idempotency key arriving together (many tills posting at once) are stored in
   * one statement: one round trip and one commit for all.
   */
  private readonly plain = statementBatcher<NewPrintJob, PrintJob>(
    async (jobs) => {
      const rows = await createStatement(this.db, jobs, null).execute();
      const byId = new Map(rows.map((r) => [r.id, toPrintJob(r as JobRow)]));
      return jobs.map((j) => byId.get(j.id) ?? new Error(`job ${j.id} was not stored`));
    },
    { maxBatchSize: 128 },
  );

  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  /** PrintJobStore.insert: with a claim, the key is claimed in the job's transaction. */
  async insert(job: NewPrintJob, idempotency?: IdempotencyClaim): Promise<InsertResult> {
    if (!idempotency) return { created: true, job: await this.plain.load(job) };
    try {
      return await this.db.transaction().execute(async (trx) => {
        await trx
          .deleteFrom('idempotencyKeys')
          .where('companyId', '=', job.companyId)
          .where('key', '=', idempotency.key)
          .where('createdAt', '<', idempotency.notBefore)
          .execute();
        const [row] = await createStatement(trx, [job], idempotency.key).execute();
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
        if (!row) throw new Error(`job ${job.id} was not stored`);
        return { created: true as const, job: toPrintJob(row as JobRow) };
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
      return { created: false, job: toPrintJob(jobRow as JobRow), requestHash };
    }
  }

  /** Stores the jobs still gathering now and waits for them (before the database closes). */
  flush(): Promise<void> {
    return this.plain.flush();
  }
}

/** The one statement that creates jobs: each row in the first state, with its creation event (history and outbox). */
function createStatement(db: Kysely<DatabaseSchema>, jobs: readonly NewPrintJob[], idempotencyKey: string | null) {
  return db
    .with('job', (q) =>
      q
        .insertInto('printJobs')
        .values(jobs.map((j) => newJobRow(j, idempotencyKey)))
        .returning(JOB_COLUMNS),
    )
    .with('event', (q) =>
      q
        .insertInto('printJobEvents')
        .columns(['jobId', 'companyId', 'fromState', 'toState', 'actor', 'reason'])
        .expression(
          // A job alone (an idle gateway) skips the join, which only pairs rows with their actors.
          jobs.length === 1
            ? sql`SELECT j.id, j.company_id, NULL, ${INITIAL_JOB_STATE}::text, ${jobs[0]?.actor}::text, NULL FROM job AS j`
            : sql`SELECT j.id, j.company_id, NULL, ${INITIAL_JOB_STATE}::text, a.actor, NULL FROM job AS j
                JOIN unnest(${jobs.map((j) => j.id)}::text[], ${jobs.map((j) => j.actor)}::text[]) AS a(id, actor)
                ON a.id = j.id`,
        ),
    )
    .with('outbox', (q) =>
      q
        .insertInto('events')
        .columns(['companyId', 'branchId', 'type', 'subjectId', 'data'])
        .expression(
          jobs.length === 1
            ? sql`SELECT company_id, branch_id, ${`job.${INITIAL_JOB_STATE}`}::text, id,
                ${jobEventData(sql`NULL::text`, sql`${jobs[0]?.actor}::text`, sql`NULL::text`)} FROM job`
            : sql`SELECT company_id, branch_id, ${`job.${INITIAL_JOB_STATE}`}::text, id,
                ${jobEventData(sql`NULL::text`, sql`a.actor`, sql`NULL::text`)}
                FROM job AS j JOIN unnest(${jobs.map((j) => j.id)}::text[], ${jobs.map((j) => j.actor)}::text[])
                  WITH ORDINALITY AS a(job_id, actor, ord) ON a.job_id = j.id ORDER BY a.ord`,
        ),
    )
    .selectFrom('job')
    .selectAll();
}
