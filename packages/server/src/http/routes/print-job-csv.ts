import type { ListJobsQuery } from '../../core/job-list-query.js';
import type { PrintJob } from '../../core/ports/print-job-store.js';
import { actorOf, listScope, type UserPrincipal } from '../../core/principal.js';
import type { PrintJobService } from '../../core/print-job-service.js';
import type { ExportTracker } from '../../metrics/export-tracker.js';
import type { CsvExport } from './csv-export.js';

/** Jobs read per statement of an export: large enough to keep round trips few, small enough to hold. */
const EXPORT_BATCH = 500;

/**
 * The job history as CSV (`GET /printing/jobs?format=csv`): every job the list's filters match,
 * newest first, read page after page with the list's own keyset cursor. `limit` is the JSON
 * list's page size and does not cut an export; a `cursor` starts it after that page.
 */
export function printJobCsv(
  jobs: PrintJobService,
  user: UserPrincipal,
  query: ListJobsQuery,
  tracker?: ExportTracker,
): CsvExport<PrintJob> {
  async function* batches(): AsyncGenerator<PrintJob[]> {
    let cursor = query.cursor;
    do {
      const page = await jobs.list(user, { ...query, cursor, limit: EXPORT_BATCH });
      yield page.jobs;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }
  return {
    name: 'print-jobs',
    header: [
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
    ],
    toRow: (j) => [
      j.id,
      j.createdAt,
      j.state,
      j.type,
      j.priority,
      j.copies,
      j.byteLength,
      j.companyId,
      j.branchId,
      j.printerId,
      j.deviceId,
      j.attempts,
      j.reason,
      j.reprintOf,
      j.idempotencyKey,
      j.usefulUntil,
      j.updatedAt,
      j.completedAt,
      j.orderData === null ? null : JSON.stringify(j.orderData),
    ],
    batches: batches(),
    ...(tracker
      ? { tracking: { tracker, kind: 'jobs' as const, ...trackedScope(user, query), actor: actorOf(user) } }
      : {}),
  };
}

/** The company and branch the export reads, as the list narrows them (a scope it may not read throws FORBIDDEN). */
function trackedScope(user: UserPrincipal, query: ListJobsQuery) {
  const scope = listScope(user, query);
  return { companyId: scope.companyId ?? null, branchId: scope.branchId ?? null };
}
