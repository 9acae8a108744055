import type { JobState } from '@printermaster/protocol';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { SweepMove } from '../core/job-sweeps.js';
import type { PrintJob, TransitionPatch } from '../core/ports/print-job-store.js';
import type { DatabaseSchema } from './database-schema.js';
import { type JobRow, jobColumnsOf, toPrintJob } from './pg-print-job-rows.js';
import { statementBatcher } from './statement-batcher.js';

/** One job's state change, as PrintJobStore.transition receives it. */
export interface JobMoveRequest {
  id: string;
  from: readonly JobState[];
  to: JobState;
  actor: string;
  patch: TransitionPatch;
}

/** A job that moved, and the state it left. */
export type MovedJob = { job: PrintJob; from: JobState };

/**
 * Every state change of print jobs, through one statement (moveStatement): one job's change,
 * many jobs' changes gathered together, and the sweeps of every job past a deadline differ only
 * in where the changes come from.
 */
export class PgJobMoves {
  /**
   * State changes of many jobs arriving together (agents' reports, a dispatch pass marking its
   * jobs sent) share one statement, so one round trip and one commit: on a busy gateway a job's
   * four changes cost a fraction of a statement each instead of one each.
   */
  private readonly changes = statementBatcher<JobMoveRequest, MovedJob | undefined>(
    (requests) => this.moveBatch(requests),
    { maxBatchSize: 256 },
  );

  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  /** Moves the job only if it is in one of `from` and passes the patch's guards; records the event. */
  move(request: JobMoveRequest): Promise<MovedJob | undefined> {
    return this.changes.load(request);
  }

  /**
   * Moves up to `limit` jobs in `move.from` whose useful-until time is before `usefulUntilBefore`.
   * Rows another process holds are skipped (SKIP LOCKED): the next sweep gets them.
   */
  async sweep(move: SweepMove, usefulUntilBefore: Date, limit: number): Promise<MovedJob[]> {
    const due = sql`due AS (
      SELECT id FROM print_jobs WHERE state IN (${sql.join([...move.from])}) AND useful_until < ${usefulUntilBefore}
      LIMIT ${limit} FOR NO KEY UPDATE SKIP LOCKED
    )`;
    const change = parameters({ from: move.from, to: move.to, actor: move.actor, patch: { reason: move.reason } });
    const { rows } = await moveStatement({ prelude: due, ids: sql`IN (SELECT id FROM due)` }, change).execute(this.db);
    return rows.map((row) => ({ job: toPrintJob(row), from: row.previousState }));
  }

  /** The sweep's move for the branch's jobs held by one device (a replaced agent's), up to `limit`. */
  async sweepDevice(move: SweepMove, branchId: string, deviceId: string, limit: number): Promise<MovedJob[]> {
    const due = sql`due AS (
      SELECT id FROM print_jobs WHERE branch_id = ${branchId} AND device_id = ${deviceId}
        AND state IN (${sql.join([...move.from])})
      LIMIT ${limit} FOR NO KEY UPDATE SKIP LOCKED
    )`;
    const change = parameters({ from: move.from, to: move.to, actor: move.actor, patch: { reason: move.reason } });
    const { rows } = await moveStatement({ prelude: due, ids: sql`IN (SELECT id FROM due)` }, change).execute(this.db);
    return rows.map((row) => ({ job: toPrintJob(row), from: row.previousState }));
  }

  /** Sends the changes still gathering now and waits for them (before the database closes). */
  flush(): Promise<void> {
    return this.changes.flush();
  }

  /**
   * Never throws: each caller gets its outcome or its own error. The statement batcher's generic
   * fallback (every key again) must not run here, since a batch with the same job twice commits in
   * two statements and the first may already have moved its jobs.
   */
  private async moveBatch(requests: readonly JobMoveRequest[]): Promise<(MovedJob | undefined | Error)[]> {
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
    const results: (MovedJob | undefined | Error)[] = new Array(requests.length);
    const firstResults = await this.moveGroup(first.map((i) => requests[i] as JobMoveRequest));
    for (const [k, i] of first.entries()) results[i] = firstResults[k];
    if (later.length > 0) {
      const laterResults = await this.moveBatch(later.map((i) => requests[i] as JobMoveRequest));
      for (const [k, i] of later.entries()) results[i] = laterResults[k];
    }
    return results;
  }

  /**
   * Changes of different jobs in one statement. If it fails, none of it was committed: each change
   * is then tried alone, one after another in the order they came, and only those that fail again
   * get an error (a row locked too long, a deadlock victim, a dropped connection).
   */
  private async moveGroup(requests: readonly JobMoveRequest[]): Promise<(MovedJob | undefined | Error)[]> {
    try {
      return await this.moveDistinct(requests);
    } catch (err) {
      if (requests.length === 1) return [asError(err)];
      const results: (MovedJob | undefined | Error)[] = [];
      for (const request of requests) {
        try {
          results.push(...(await this.moveDistinct([request])));
        } catch (e) {
          results.push(asError(e));
        }
      }
      return results;
    }
  }

  /** Changes of jobs that are all different, in one statement; each result at its request's index. */
  private async moveDistinct(requests: readonly JobMoveRequest[]): Promise<(MovedJob | undefined)[]> {
    const [one] = requests;
    // A change alone (an idle gateway) is written with plain parameters: planning the array form
    // costs PostgreSQL about a millisecond more, on each of a job's four changes.
    const statement =
      requests.length === 1 && one
        ? moveStatement({ ids: sql`= ${one.id}` }, parameters(one))
        : moveStatement(
            { prelude: manyChanges(requests), ids: sql`IN (SELECT id FROM input)`, input: true },
            INPUT_COLUMNS,
          );
    const { rows } = await statement.execute(this.db);
    const results: (MovedJob | undefined)[] = new Array(requests.length).fill(undefined);
    for (const row of rows) results[Number(row.ord) - 1] = { job: toPrintJob(row), from: row.previousState };
    return results;
  }
}

/** The values of a change as SQL: parameters (one job, a sweep) or the columns of an input row (many jobs). */
interface ChangeValues {
  /** Comma-separated. */
  fromStates: RawBuilder<unknown>;
  toState: RawBuilder<unknown>;
  actor: RawBuilder<unknown>;
  reasonGiven: RawBuilder<unknown>;
  reason: RawBuilder<unknown>;
  deviceId: RawBuilder<unknown>;
  completedAt: RawBuilder<unknown>;
  incr: RawBuilder<unknown>;
  onlyBranch: RawBuilder<unknown>;
  unconfirmedReason: RawBuilder<unknown>;
  licence: RawBuilder<unknown>;
  ord: RawBuilder<unknown>;
}

/** Which jobs a statement changes: CTEs it needs first, the id condition, and whether rows come from `input`. */
interface ChangeTarget {
  prelude?: RawBuilder<unknown>;
  ids: RawBuilder<unknown>;
  input?: true;
}

/**
 * The one statement that changes jobs' states, whatever the source of the changes. The rows are
 * locked in id order (so two processes' statements cannot deadlock) and seen as they are after
 * any concurrent change committed; each moves only from its expected states and when its guards
 * hold (branch, the `unconfirmed` reason that may be left, an active licence), and its event is
 * recorded in the same statement, in the job's history and in the outbox (`job.<state>`).
 */
function moveStatement(target: ChangeTarget, v: ChangeValues) {
  return sql<JobRow & { previousState: JobState; ord: string }>`
    WITH ${target.prelude ? sql`${target.prelude}, ` : sql``}before AS (
      SELECT j.id, j.state FROM print_jobs j WHERE j.id ${target.ids} ORDER BY j.id FOR NO KEY UPDATE
    ), moved AS (
      UPDATE print_jobs AS j SET
        state = ${v.toState},
        updated_at = now(),
        reason = CASE WHEN ${v.reasonGiven} THEN ${v.reason} ELSE j.reason END,
        device_id = COALESCE(${v.deviceId}, j.device_id),
        completed_at = COALESCE(${v.completedAt}, j.completed_at),
        attempts = j.attempts + ${v.incr}
      FROM before AS b${target.input ? sql`, input AS i` : sql``}
      WHERE j.id = b.id${target.input ? sql` AND i.id = b.id` : sql``}
        AND b.state = ANY (string_to_array(${v.fromStates}, ','))
        AND (${v.onlyBranch} IS NULL OR j.branch_id = ${v.onlyBranch})
        AND (b.state <> 'unconfirmed' OR ${v.unconfirmedReason} IS NULL OR j.reason = ${v.unconfirmedReason})
        AND (${v.licence} IS NULL OR EXISTS (SELECT 1 FROM licenses l WHERE l.id = ${v.licence}
          AND l.status = 'active' AND (l.expires_at IS NULL OR l.expires_at > now())))
      RETURNING ${jobColumnsOf('j')}, b.state AS previous_state, ${v.ord} AS ord, ${v.actor} AS event_actor,
        ${v.reason} AS event_reason
    ), event AS (
      INSERT INTO print_job_events (job_id, company_id, from_state, to_state, actor, reason)
      SELECT id, company_id, previous_state, state, event_actor, event_reason FROM moved ORDER BY ord
    ), outbox AS (
      INSERT INTO events (company_id, branch_id, type, subject_id, data)
      SELECT company_id, branch_id, 'job.' || state, id, ${jobEventData(sql`previous_state`, sql`event_actor`, sql`event_reason`)}
      FROM moved ORDER BY ord
    )
    SELECT * FROM moved`;
}

/**
 * The outbox event's `data` of a job's change (docs/events.md), from the columns of a job row in
 * scope; the idempotency key, the order data and the content stay out of it.
 */
export function jobEventData(
  previousState: RawBuilder<unknown>,
  actor: RawBuilder<unknown>,
  reason: RawBuilder<unknown>,
): RawBuilder<unknown> {
  return sql`jsonb_build_object('jobId', id, 'printerId', printer_id, 'branchId', branch_id, 'state', state,
    'previousState', ${previousState}, 'actor', ${actor}, 'reason', ${reason}, 'type', type, 'attempts', attempts,
    'deviceId', device_id, 'reprintOf', reprint_of, 'createdAt', ${isoUtc('created_at')},
    'updatedAt', ${isoUtc('updated_at')})`;
}

/**
 * A timestamp column as the API writes every instant, `2026-12-06T20:00:00.123Z`: jsonb would
 * write it in the session's time zone (`+00:00` at best, `+01:00` on a server in Paris).
 */
function isoUtc(column: string): RawBuilder<unknown> {
  return sql`to_char(${sql.ref(column)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** One change's values as parameters. */
function parameters(r: Omit<JobMoveRequest, 'id'>): ChangeValues {
  const p = r.patch;
  return {
    fromStates: sql`${r.from.join(',')}::text`,
    toState: sql`${r.to}::text`,
    actor: sql`${r.actor}::text`,
    reasonGiven: sql`${p.reason !== undefined}::boolean`,
    reason: sql`${p.reason ?? null}::text`,
    deviceId: sql`${p.deviceId ?? null}::text`,
    completedAt: sql`${p.completedAt ?? null}::timestamptz`,
    incr: sql`${p.incrementAttempts ? 1 : 0}::int`,
    onlyBranch: sql`${p.onlyInBranch ?? null}::text`,
    unconfirmedReason: sql`${p.unconfirmedReason ?? null}::text`,
    licence: sql`${p.onlyWithActiveLicence ?? null}::text`,
    ord: sql`1::bigint`,
  };
}

/** The columns of manyChanges' `input` rows, in ChangeValues' order. */
const INPUT_COLUMNS: ChangeValues = {
  fromStates: sql.ref('i.from_states'),
  toState: sql.ref('i.to_state'),
  actor: sql.ref('i.actor'),
  reasonGiven: sql.ref('i.reason_given'),
  reason: sql.ref('i.reason'),
  deviceId: sql.ref('i.device_id'),
  completedAt: sql.ref('i.completed_at'),
  incr: sql.ref('i.incr'),
  onlyBranch: sql.ref('i.only_branch'),
  unconfirmedReason: sql.ref('i.unconfirmed_reason'),
  licence: sql.ref('i.licence'),
  ord: sql.ref('i.ord'),
};

/** Many changes as `input`, one row per change from one array of parameters per column. */
function manyChanges(requests: readonly JobMoveRequest[]): RawBuilder<unknown> {
  const column = <T>(pick: (r: JobMoveRequest) => T): T[] => requests.map(pick);
  return sql`input AS (
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
  )`;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
