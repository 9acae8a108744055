import { FINAL_JOB_STATES } from '@printermaster/protocol';
import { type Kysely, sql } from 'kysely';
import type { PurgeBatch, PurgedRows, RetentionStore, RetentionTable } from '../core/ports/retention-store.js';
import type { DatabaseSchema } from './database-schema.js';

/**
 * Held by each purge batch for its transaction: batches of several processes run one at a time.
 * A batch that finds it taken gives up its run, since the holder is purging the same rows.
 */
const PURGE_LOCK_ID = 726_175_317;

const FINAL_STATES = sql.join(FINAL_JOB_STATES.map((s) => sql.lit(s)));

/**
 * The retention purge's deletes (core/retention-purge.ts). Each picks at most `limit` rows of its
 * table, through an index on their age (migrations 010 and 022) where there is one (devices have
 * none), locks them with SKIP LOCKED, and deletes them with their dependent rows in the same
 * statement, counted per table.
 */
export class PgRetentionStore implements RetentionStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  purgeAudit(before: Date, limit: number): Promise<PurgeBatch> {
    return this.batch('audit_log', [], (trx) =>
      sql<Counts>`
        WITH doomed AS (
          SELECT id FROM audit_log WHERE created_at < ${before} LIMIT ${limit} FOR UPDATE SKIP LOCKED
        ), gone AS (
          DELETE FROM audit_log WHERE id IN (SELECT id FROM doomed) RETURNING 1
        )
        SELECT (SELECT count(*) FROM gone)::int AS audit_log`.execute(trx),
    );
  }

  purgeJobs(before: Date, limit: number): Promise<PurgeBatch> {
    // The history is deleted here rather than by the cascade, so that it is counted.
    return this.batch('print_jobs', ['print_job_events'], (trx) =>
      sql<Counts>`
        WITH doomed AS (
          SELECT id FROM print_jobs
          WHERE state IN (${FINAL_STATES}) AND updated_at < ${before}
          LIMIT ${limit} FOR UPDATE SKIP LOCKED
        ), history AS (
          DELETE FROM print_job_events WHERE job_id IN (SELECT id FROM doomed) RETURNING 1
        ), gone AS (
          DELETE FROM print_jobs WHERE id IN (SELECT id FROM doomed) RETURNING 1
        )
        SELECT (SELECT count(*) FROM gone)::int AS print_jobs,
          (SELECT count(*) FROM history)::int AS print_job_events`.execute(trx),
    );
  }

  purgeWebhookDeliveries(before: Date, limit: number): Promise<PurgeBatch> {
    // A redelivered delivery keeps its created_at: its first attempt and delivery say it is recent.
    return this.batch('webhook_deliveries', ['webhook_attempts'], (trx) =>
      sql<Counts>`
        WITH doomed AS (
          SELECT id FROM webhook_deliveries
          WHERE state <> 'pending' AND created_at < ${before}
            AND (first_attempt_at IS NULL OR first_attempt_at < ${before})
            AND (delivered_at IS NULL OR delivered_at < ${before})
          LIMIT ${limit} FOR UPDATE SKIP LOCKED
        ), attempts AS (
          DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM doomed) RETURNING 1
        ), gone AS (
          DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM doomed) RETURNING 1
        )
        SELECT (SELECT count(*) FROM gone)::int AS webhook_deliveries,
          (SELECT count(*) FROM attempts)::int AS webhook_attempts`.execute(trx),
    );
  }

  purgeEvents(before: Date, limit: number): Promise<PurgeBatch> {
    return this.batch('events', [], (trx) =>
      sql<Counts>`
        WITH doomed AS (
          SELECT id FROM events e
          WHERE seq IS NOT NULL AND created_at < ${before}
            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id)
          LIMIT ${limit} FOR UPDATE SKIP LOCKED
        ), gone AS (
          DELETE FROM events WHERE id IN (SELECT id FROM doomed) RETURNING 1
        )
        SELECT (SELECT count(*) FROM gone)::int AS events`.execute(trx),
    );
  }

  purgeDeviceSessions(before: Date, limit: number): Promise<PurgeBatch> {
    return this.batch('device_sessions', [], (trx) =>
      sql<Counts>`
        WITH doomed AS (
          SELECT id FROM device_sessions
          WHERE disconnected_at IS NOT NULL AND disconnected_at < ${before}
          LIMIT ${limit} FOR UPDATE SKIP LOCKED
        ), gone AS (
          DELETE FROM device_sessions WHERE id IN (SELECT id FROM doomed) RETURNING 1
        )
        SELECT (SELECT count(*) FROM gone)::int AS device_sessions`.execute(trx),
    );
  }

  purgeDevices(before: Date, limit: number): Promise<PurgeBatch> {
    // No index on last_seen_at (migration 022 says why): each batch scans the table of one row per agent.
    return this.batch('devices', ['device_health_reports', 'device_sessions'], (trx) =>
      sql<Counts>`
        WITH doomed AS (
          SELECT branch_id, device_id FROM devices d
          WHERE last_seen_at < ${before}
            AND NOT EXISTS (SELECT 1 FROM device_sessions s WHERE s.branch_id = d.branch_id
              AND s.device_id = d.device_id AND s.disconnected_at IS NULL)
          LIMIT ${limit} FOR UPDATE SKIP LOCKED
        ), reports AS (
          DELETE FROM device_health_reports r USING doomed
          WHERE r.branch_id = doomed.branch_id AND r.device_id = doomed.device_id RETURNING 1
        ), sessions AS (
          DELETE FROM device_sessions s USING doomed
          WHERE s.branch_id = doomed.branch_id AND s.device_id = doomed.device_id RETURNING 1
        ), gone AS (
          DELETE FROM devices d USING doomed
          WHERE d.branch_id = doomed.branch_id AND d.device_id = doomed.device_id RETURNING 1
        )
        SELECT (SELECT count(*) FROM gone)::int AS devices,
          (SELECT count(*) FROM reports)::int AS device_health_reports,
          (SELECT count(*) FROM sessions)::int AS device_sessions`.execute(trx),
    );
  }

  purgePaperChecks(before: Date, limit: number): Promise<PurgeBatch> {
    return this.batch('paper_checks', [], (trx) =>
      sql<Counts>`
        WITH doomed AS (
          SELECT token_hash FROM paper_checks AS p
          WHERE created_at < ${before}
            AND EXISTS (SELECT 1 FROM paper_checks AS n WHERE n.printer_id = p.printer_id AND n.created_at > p.created_at)
          LIMIT ${limit} FOR UPDATE SKIP LOCKED
        ), gone AS (
          DELETE FROM paper_checks WHERE token_hash IN (SELECT token_hash FROM doomed) RETURNING 1
        )
        SELECT (SELECT count(*) FROM gone)::int AS paper_checks`.execute(trx),
    );
  }

  private batch(
    primary: RetentionTable,
    dependents: readonly RetentionTable[],
    run: (trx: Kysely<DatabaseSchema>) => Promise<{ rows: Counts[] }>,
  ): Promise<PurgeBatch> {
    return this.db.transaction().execute(async (trx): Promise<PurgeBatch> => {
      const { rows: lock } = await sql<{ held: boolean }>`
        SELECT pg_try_advisory_xact_lock(${PURGE_LOCK_ID}) AS held`.execute(trx);
      if (lock[0]?.held !== true) return { busy: true };
      const { rows } = await run(trx);
      const counts = rows[0] ?? {};
      const purged: PurgedRows = {};
      for (const table of [primary, ...dependents]) purged[table] = Number(counts[camel(table)] ?? 0);
      return { busy: false, purged, primary: purged[primary] ?? 0 };
    });
  }
}

/** A statement's counts, by column; the store's CamelCasePlugin renames `print_jobs` to `printJobs`. */
type Counts = Record<string, number | string | undefined>;

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
