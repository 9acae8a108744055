import { type Kysely, type RawBuilder, sql } from 'kysely';
import { csvRow } from '../core/csv.js';
import type { PrintJob, PrintJobCsvPage, PrintJobListFilter } from '../core/ports/print-job-store.js';
import { PRINT_JOB_CSV_COLUMNS, printJobCsvCells } from '../core/print-job-csv-columns.js';
import type { DatabaseSchema } from './database-schema.js';
import { jobListQuery } from './pg-job-list-query.js';

/**
 * How the database writes each column's cell, the same text as core/csv.ts csvCell writes for
 * the value the driver would return: `text` is a string cell (formula guard, RFC 4180 quotes),
 * `int` a number, `instant` a Date as ISO 8601 in UTC with milliseconds; `?` when it may be NULL.
 */
type CellKind = 'text' | 'text?' | 'int' | 'instant' | 'instant?';

const CELLS: Record<(typeof PRINT_JOB_CSV_COLUMNS)[number], readonly [column: string, kind: CellKind]> = {
  id: ['id', 'text'],
  createdAt: ['created_at', 'instant'],
  state: ['state', 'text'],
  type: ['type', 'text'],
  priority: ['priority', 'int'],
  copies: ['copies', 'int'],
  byteLength: ['byte_length', 'int'],
  companyId: ['company_id', 'text'],
  branchId: ['branch_id', 'text'],
  printerId: ['printer_id', 'text'],
  deviceId: ['device_id', 'text?'],
  attempts: ['attempts', 'int'],
  reason: ['reason', 'text?'],
  reprintOf: ['reprint_of', 'text?'],
  idempotencyKey: ['idempotency_key', 'text?'],
  usefulUntil: ['useful_until', 'instant'],
  updatedAt: ['updated_at', 'instant'],
  completedAt: ['completed_at', 'instant?'],
  orderData: ['order_json', 'text?'],
};

/**
 * jsonb's text has `, ` and `: ` between tokens where JSON.stringify has none: every separator
 * outside a string loses its space (each string is matched whole, so the separators inside stay).
 */
const COMPACT_JSON = sql.raw(
  String.raw`regexp_replace(nullif(order_data, 'null')::text, '("(?:[^"\\]|\\.)*")|([,:]) ', '\1\2', 'g')`,
);

/**
 * Rows whose cells the database would not write as JavaScript does, left to the JS encoder (the
 * whole page, which is rare; false alarms only cost speed). jsonb keeps a number's digits as
 * written where JSON.stringify rewrites them: a number JavaScript would print with an exponent
 * (≥ 1e21 or < 1e-6), 16 digits or more, or trailing zeros (`12.50`, from data not written
 * through the gateway). JavaScript orders integer keys (`"10"`) first where jsonb sorts keys by
 * length. Years outside 1–9999 have other ISO forms in JavaScript.
 */
const NEEDS_JS = sql.raw(
  String.raw`(order_data IS NOT NULL AND order_data::text ~ '[0-9.]{16}|0\.0{6}|\.[0-9]*0([^0-9]|$)|"[0-9]+": ')` +
    ` OR least(created_at, updated_at, useful_until, completed_at) < '0001-01-01T00:00:00Z'` +
    ` OR greatest(created_at, updated_at, useful_until, completed_at) >= '10000-01-01T00:00:00Z'`,
);

/** One cell of the column, as the SQL text of an expression that never yields NULL. */
function cellSql(column: string, kind: CellKind): string {
  switch (kind) {
    case 'int':
      return `${column}::text`;
    case 'instant':
      return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    case 'instant?':
      return `coalesce(${cellSql(column, 'instant')}, '')`;
    case 'text?':
      return `coalesce(${cellSql(column, 'text')}, '')`;
    case 'text': {
      // csvCell: a leading = + - @ tab or CR gets a `'`; a cell with a quote, comma, CR or LF is
      // quoted, its quotes doubled (doubling cannot change the first character, which is no quote).
      const guard = `CASE WHEN left(${column}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' ELSE '' END`;
      return `CASE WHEN ${column} ~ '[",\\r\\n]' THEN '"' || ${guard} || replace(${column}, '"', '""') || '"' ELSE ${guard} || ${column} END`;
    }
  }
}

const RECORD = sql.raw(`${PRINT_JOB_CSV_COLUMNS.map((c) => cellSql(...CELLS[c])).join(` || ',' || `)} || E'\\r\\n'`);

/**
 * PrintJobStore.csvPage: the page's records written by the database in one string, with the
 * keyset cursor of its last job. `listJobs` is the JSON list's read of the same page, encoded in
 * JavaScript when a row needs it (NEEDS_JS).
 */
export async function readPrintJobCsvPage(
  db: Kysely<DatabaseSchema>,
  filter: PrintJobListFilter,
  listJobs: () => Promise<PrintJob[]>,
): Promise<PrintJobCsvPage> {
  const columns = PRINT_JOB_CSV_COLUMNS.filter((c) => c !== 'orderData');
  const page = await db
    .with('page', () =>
      jobListQuery(db, filter).select([
        ...columns,
        COMPACT_JSON.as('orderJson'),
        (NEEDS_JS as RawBuilder<boolean | null>).as('needsJs'),
      ]),
    )
    .selectFrom('page')
    .select([
      sql<string>`coalesce(string_agg(${RECORD}, '' ORDER BY created_at DESC, id DESC), '')`.as('csv'),
      sql<number>`count(*)::int`.as('rows'),
      sql<boolean>`coalesce(bool_or(needs_js), false)`.as('needsJs'),
      sql<Date | null>`min(created_at)`.as('lastCreatedAt'),
      sql<string | null>`(array_agg(id ORDER BY created_at, id))[1]`.as('lastId'),
    ])
    .executeTakeFirstOrThrow();
  if (page.needsJs) {
    const jobs = await listJobs();
    const last = jobs[jobs.length - 1];
    return {
      csv: jobs.map((j) => csvRow(printJobCsvCells(j))).join(''),
      rows: jobs.length,
      ...(last ? { last: { createdAt: last.createdAt, id: last.id } } : {}),
    };
  }
  const { csv, rows, lastCreatedAt, lastId } = page;
  return { csv, rows, ...(lastCreatedAt && lastId !== null ? { last: { createdAt: lastCreatedAt, id: lastId } } : {}) };
}
