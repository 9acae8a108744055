import type { JobState, JobType } from '@printermaster/protocol';
import { type RawBuilder, type Selectable, sql } from 'kysely';
import { INITIAL_JOB_STATE } from '../core/job-state-machine.js';
import type { NewPrintJob, PrintJob } from '../core/ports/print-job-store.js';
import type { PrintJobTable } from './database-schema.js';

/** The columns of a job as the domain sees it (everything but the content). */
export const JOB_COLUMNS = [
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
  'stationId',
  'deviceId',
  'reason',
  'attempts',
  'usefulUntil',
  'createdAt',
  'updatedAt',
  'completedAt',
] as const;

export type JobRow = Pick<Selectable<PrintJobTable>, (typeof JOB_COLUMNS)[number]>;

/** JOB_COLUMNS of table alias `alias` in raw SQL (which the camel-case plugin does not rename). */
export function jobColumnsOf(alias: string): RawBuilder<unknown> {
  return sql.join(JOB_COLUMNS.map((c) => sql.ref(`${alias}.${c.replace(/[A-Z]/g, (l) => `_${l.toLowerCase()}`)}`)));
}

/** The stored row of a new job, in its first state. */
export function newJobRow(job: NewPrintJob, idempotencyKey: string | null) {
  return {
    id: job.id,
    companyId: job.companyId,
    branchId: job.branchId,
    printerId: job.printerId,
    state: INITIAL_JOB_STATE,
    type: job.type,
    priority: job.priority,
    copies: job.copies,
    content: job.content,
    byteLength: job.content.byteLength,
    orderData: job.orderData === null ? null : JSON.stringify(job.orderData),
    idempotencyKey,
    reprintOf: job.reprintOf,
    stationId: job.stationId ?? null,
    usefulUntil: job.usefulUntil,
    createdAt: job.createdAt,
    updatedAt: job.createdAt,
  };
}

export function toPrintJob(row: JobRow): PrintJob {
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
    stationId: row.stationId,
    deviceId: row.deviceId,
    reason: row.reason,
    attempts: row.attempts,
    usefulUntil: row.usefulUntil,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    completedAt: row.completedAt,
  };
}
