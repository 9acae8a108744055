import { type Kysely, sql } from 'kysely';
import type { StationMove } from '../core/ports/print-job-store.js';
import type { DatabaseSchema } from './database-schema.js';
import { jobEventData } from './pg-job-moves.js';
import { type JobRow, jobColumnsOf, toPrintJob } from './pg-print-job-rows.js';

/**
 * Moves a station's jobs still `queued` for one printer to another (PrintJobStore.moveStationJobs):
 * printer, content (the line in front) and moved-from in one statement, with a job event and a
 * `job.moved` outbox event for each. Only `queued` rows are touched: a job the dispatcher marked
 * `sent` meanwhile holds its row lock first and is left where it is.
 */
export async function moveStationJobs(db: Kysely<DatabaseSchema>, move: StationMove) {
  const prefix = Buffer.from(move.prefix);
  const { rows } = await sql<JobRow>`
    WITH moved AS (
      UPDATE print_jobs
      SET printer_id = ${move.toPrinterId}, content = ${prefix}::bytea || content,
        byte_length = byte_length + ${prefix.byteLength}, moved_from = COALESCE(moved_from, ${move.fromPrinterId}),
        reason = ${move.reason}, updated_at = now()
      WHERE station_id = ${move.stationId} AND printer_id = ${move.fromPrinterId} AND state = 'queued'
      RETURNING ${jobColumnsOf('print_jobs')}
    ), event AS (
      INSERT INTO print_job_events (job_id, company_id, from_state, to_state, actor, reason)
      SELECT id, company_id, 'queued', 'queued', 'gateway', ${move.reason} FROM moved ORDER BY created_at
    ), outbox AS (
      INSERT INTO events (company_id, branch_id, type, subject_id, data)
      SELECT company_id, branch_id, 'job.moved', id,
        ${jobEventData(sql`'queued'`, sql`'gateway'`, sql`${move.reason}::text`)}
          || jsonb_build_object('stationId', station_id, 'fromPrinterId', ${move.fromPrinterId}::text)
      FROM moved ORDER BY created_at
    )
    SELECT * FROM moved ORDER BY created_at`.execute(db);
  return rows.map(toPrintJob);
}

/**
 * The station jobs moved away from `printerId` since it last printed its notice, forgotten as they
 * are read (PrintJobStore.takeMovedFrom): each printer's notice lists them once.
 */
export async function takeMovedFrom(db: Kysely<DatabaseSchema>, printerId: string) {
  const { rows } = await sql<JobRow>`
    UPDATE print_jobs SET moved_from = NULL
    WHERE moved_from = ${printerId}
    RETURNING ${jobColumnsOf('print_jobs')}`.execute(db);
  return rows.map(toPrintJob).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}
