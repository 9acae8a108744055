import type { ListJobsQuery } from '../../core/job-list-query.js';
import type { PrintJobCsvPage } from '../../core/ports/print-job-store.js';
import { actorOf, listScope, type UserPrincipal } from '../../core/principal.js';
import { PRINT_JOB_CSV_COLUMNS } from '../../core/print-job-csv-columns.js';
import type { PrintJobService } from '../../core/print-job-service.js';
import type { ExportTracker } from '../../metrics/export-tracker.js';
import type { CsvExport, CsvPage } from './csv-export.js';

/**
 * Jobs read per statement of an export. A page's CSV (about 300 bytes a job) stays under V8's
 * 128 KB limit for ordinary heap objects, above which strings are allocated in the old generation
 * and wait for a full collection; and on the embedded store each read holds the event loop.
 */
const EXPORT_BATCH = 200;

/**
 * The job history as CSV (`GET /printing/jobs?format=csv`): every job the list's filters match,
 * newest first, read page after page with the list's own keyset cursor. The database writes each
 * page's CSV (PrintJobStore.csvPage), so the gateway holds one string per page instead of some 40
 * objects per job. `limit` is the JSON list's page size and does not cut an export; a `cursor`
 * starts it after that page.
 */
export function printJobCsv(
  jobs: PrintJobService,
  user: UserPrincipal,
  query: ListJobsQuery,
  tracker?: ExportTracker,
): CsvExport {
  async function* pages(): AsyncGenerator<CsvPage> {
    let after: PrintJobCsvPage['last'];
    for (;;) {
      const page = await jobs.csvPage(user, query, EXPORT_BATCH, after);
      yield { text: page.csv, rows: page.rows };
      if (page.rows < EXPORT_BATCH || !page.last) return;
      after = page.last;
    }
  }
  return {
    name: 'print-jobs',
    header: PRINT_JOB_CSV_COLUMNS,
    pages: pages(),
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
