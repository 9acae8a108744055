import type { Kysely } from 'kysely';
import type { PrintJobListFilter } from '../core/ports/print-job-store.js';
import type { DatabaseSchema } from './database-schema.js';

/**
 * The jobs a list filter selects, newest first, up to its limit; the caller picks the columns.
 * Shared by the JSON list and the CSV export, so that both page alike.
 */
export function jobListQuery(db: Kysely<DatabaseSchema>, f: PrintJobListFilter) {
  let q = db.selectFrom('printJobs');
  if (f.companyId) q = q.where('companyId', '=', f.companyId);
  if (f.branchId) q = q.where('branchId', '=', f.branchId);
  if (f.printerId) q = q.where('printerId', '=', f.printerId);
  if (f.states && f.states.length > 0) q = q.where('state', 'in', f.states);
  if (f.createdAfter) q = q.where('createdAt', '>=', f.createdAfter);
  if (f.createdBefore) q = q.where('createdAt', '<', f.createdBefore);
  const cursor = f.cursor;
  if (cursor) {
    // A row comparison, not `a < x OR (a = x AND b < y)`: PostgreSQL turns only the row form into
    // an index bound, so each page starts where the last ended instead of filtering every newer row
    // again (a million-row export went quadratic: 0.8 s a page by its middle).
    q = q.where((eb) => eb(eb.refTuple('createdAt', 'id'), '<', eb.tuple(cursor.createdAt, cursor.id)));
  }
  return q.orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(f.limit);
}
