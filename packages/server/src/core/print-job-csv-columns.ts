import type { CsvCell } from './csv.js';
import type { PrintJob } from './ports/print-job-store.js';

/**
 * The columns of the job history's CSV export (`GET /printing/jobs?format=csv`), in order. The
 * store writes the same records in SQL (store/pg-print-job-csv.ts); printJobCsvCells is the
 * reference it is tested against.
 */
export const PRINT_JOB_CSV_COLUMNS = [
  'id',
  'createdAt',
  'state',
  'type',
  'priority',
  'copies',
  'byteLength',
  'companyId',
  'branchId',
  'printerId',
  'deviceId',
  'attempts',
  'reason',
  'reprintOf',
  'idempotencyKey',
  'usefulUntil',
  'updatedAt',
  'completedAt',
  'orderData',
] as const satisfies readonly (keyof PrintJob)[];

/** One job's cells, in PRINT_JOB_CSV_COLUMNS order; order data as compact JSON. */
export function printJobCsvCells(j: PrintJob): CsvCell[] {
  return PRINT_JOB_CSV_COLUMNS.map((column) =>
    column === 'orderData' ? (j.orderData === null ? null : JSON.stringify(j.orderData)) : j[column],
  );
}
