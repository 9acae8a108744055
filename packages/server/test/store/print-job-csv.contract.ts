import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvRow } from '../../src/core/csv.js';
import type { PrintJobListFilter } from '../../src/core/ports/print-job-store.js';
import { printJobCsvCells } from '../../src/core/print-job-csv-columns.js';
import type { Database } from '../../src/store/database.js';
import { readPrintJobCsvPage } from '../../src/store/pg-print-job-csv.js';
import { PgPrintJobStore } from '../../src/store/pg-print-job-store.js';

/** Strings a CSV writer or a spreadsheet trips on: separators, quotes, line ends, formula starts, unicode. */
const NASTY = [
  'plain',
  'a,b',
  'say "hi"',
  'line\nbreak',
  'cr\rinside',
  'crlf\r\n',
  '=SUM(A1:A2)',
  '+1',
  '-2',
  '@cmd',
  '\ttab first',
  '\rcr first',
  '=',
  '"=1"',
  '="a,b"',
  "'quote",
  ' space first',
  'ünïcødé 🍕 日本語',
  'x\u2028y',
  'back\\slash',
  '',
];

/** Order data the database writes as JSON.stringify does. */
const ORDER_DATA: (Record<string, unknown> | null)[] = [
  null,
  { orderId: 'O-1', table: 5, note: 'no onions, "extra" sauce' },
  { '=x': '+y', nested: { a: [1, 2.5, -3, true, false, null, 'a, b: c', '":"'], e: {} }, arr: [] },
  { unicode: 'é日本🍕', ctrl: '\u0001\u001f\b\f\n\r\t\u007f', slash: '/\\', quote: '"', seps: '", "', colon: '": "' },
  { price: 12.5, big: 123456789012345, small: 0.000123, neg: -0.5, zero: 0, e6: 0.000001 },
  { ключ: 1, b: 2, aa: 3, '': 'empty key' },
];

/** Order data JavaScript writes otherwise than jsonb's text: these pages go to the JS encoder. */
const ORDER_DATA_FOR_JS: Record<string, unknown>[] = [
  { big: 1e21 },
  { tiny: 1e-7 },
  { 10: 'integer key', b: 'c' },
  { digits: 1234567890123456800, pi: Math.PI },
  { '01': 'not an index, but taken for one' },
];

/**
 * The job history's CSV as the database writes it (store/pg-print-job-csv.ts) against the
 * JavaScript encoder (core/csv.ts, core/print-job-csv-columns.ts) on the same rows, so that the two cannot drift.
 */
export function describePrintJobCsv(
  label: string,
  open: () => Promise<{ database: Database; teardown: () => Promise<void> }>,
) {
  describe(`job history CSV written by the database (${label})`, () => {
    let database: Database;
    let teardown: () => Promise<void>;
    let store: PgPrintJobStore;
    const inJs = async (filter: PrintJobListFilter) =>
      (await store.list(filter)).map((j) => csvRow(printJobCsvCells(j))).join('');
    const inSql = (filter: PrintJobListFilter) =>
      readPrintJobCsvPage(database.db, filter, () => {
        throw new Error('the page went to the JavaScript encoder');
      });

    beforeAll(async () => {
      ({ database, teardown } = await open());
      store = new PgPrintJobStore(database.db);
      await seed(database);
    });
    afterAll(async () => {
      await database?.close();
      await teardown?.();
    });

    it('writes every nasty value, NULL, order data and instant as the JavaScript encoder does', async () => {
      const filter: PrintJobListFilter = { companyId: COMPANY, limit: 1000 };
      const page = await inSql(filter);
      const expected = await inJs(filter);
      expect(page.rows).toBe(NASTY.length * ORDER_DATA.length + 3);
      expect(page.csv).toBe(expected);
      // The cases are there: quoted cells, guarded formulas, microseconds truncated like the driver's dates.
      expect(page.csv).toContain(`"'=""a,b"""`);
      expect(page.csv).toContain(`'@cmd`);
      expect(page.csv).toContain('2026-03-01T12:34:56.789Z');
    });

    it('pages with the keyset cursor of each page, as the list does', async () => {
      const whole = await inJs({ companyId: COMPANY, limit: 1000 });
      let csv = '';
      let cursor: PrintJobListFilter['cursor'];
      for (let pages = 0; pages < 100; pages++) {
        const page = await inSql({ companyId: COMPANY, limit: 7, cursor });
        expect(page.csv).toBe(await inJs({ companyId: COMPANY, limit: 7, cursor }));
        csv += page.csv;
        if (page.rows < 7 || !page.last) break;
        cursor = page.last;
      }
      expect(csv).toBe(whole);
      expect(await inSql({ companyId: 'nobody', limit: 7 })).toEqual({ csv: '', rows: 0 });
    });

    it('leaves pages whose numbers, keys or years the database writes otherwise to the JavaScript encoder', async () => {
      for (const filter of [
        { companyId: COMPANY_FOR_JS, limit: 1000 },
        { companyId: COMPANY_FOR_JS, limit: 1 },
      ]) {
        let fellBack = false;
        const page = await readPrintJobCsvPage(database.db, filter, () => {
          fellBack = true;
          return store.list(filter);
        });
        expect(fellBack).toBe(true);
        expect(page.csv).toBe(await inJs(filter));
      }
      expect((await store.csvPage({ companyId: COMPANY_FOR_JS, limit: 1000 })).rows).toBe(ORDER_DATA_FOR_JS.length + 2);
    });
  });
}

const COMPANY = '=acme,"co"\n';
const BRANCH = '+branch\r1';
const COMPANY_FOR_JS = 'js-only';

async function seed(database: Database): Promise<void> {
  const exec = (q: ReturnType<typeof sql>) => q.execute(database.db);
  for (const [company, branch] of [
    [COMPANY, BRANCH],
    [COMPANY_FOR_JS, 'js-branch'],
  ]) {
    await exec(sql`INSERT INTO companies (id, name) VALUES (${company}, 'CSV')`);
    await exec(sql`INSERT INTO branches (id, company_id, name) VALUES (${branch}, ${company}, 'Main')`);
  }
  const base = Date.UTC(2026, 0, 1);
  const job = (n: number, text: string, orderData: Record<string, unknown> | null, company = COMPANY) => ({
    id: `${text}#${n}`,
    companyId: company,
    branchId: company === COMPANY ? BRANCH : 'js-branch',
    printerId: text,
    state: 'failed',
    type: 'kitchen',
    priority: 1 + (n % 10),
    copies: 1,
    content: new Uint8Array([0x1b, 0x40]),
    byteLength: 2,
    orderData: orderData === null ? null : JSON.stringify(orderData),
    idempotencyKey: n % 3 === 0 ? null : text,
    deviceId: n % 2 === 0 ? null : `dev-${text}`,
    reason: n % 5 === 0 ? null : text,
    attempts: n % 4,
    usefulUntil: new Date(base + n * 60_000),
    createdAt: new Date(base + Math.floor(n / 3) * 1000 + 7),
    updatedAt: new Date(base + n * 1000 + 999),
    completedAt: n % 2 === 0 ? null : new Date(base + n * 1000 + 1),
  });
  const jobs = NASTY.flatMap((text, i) => ORDER_DATA.map((data, k) => job(i * ORDER_DATA.length + k, text, data)));
  await database.db.insertInto('printJobs').values(jobs).execute();
  // reprint_of refers to another job; instants with microseconds and far-off years; jsonb null.
  await exec(sql`UPDATE print_jobs SET reprint_of = ${jobs[7]?.id} WHERE id = ${jobs[3]?.id}`);
  await exec(sql`INSERT INTO print_jobs (id, company_id, branch_id, printer_id, state, type, priority, content,
      byte_length, order_data, useful_until, created_at, updated_at, completed_at)
    VALUES ('micro', ${COMPANY}, ${BRANCH}, 'p', 'completed', 'receipt', 5, '\\x00'::bytea, 1, 'null'::jsonb,
      '2026-03-01 12:34:56.789999+00', '2026-03-01 12:34:56.789999+00', '2026-03-01 12:34:56.000001+00',
      '2026-03-01 12:34:56.5+00'),
      ('old', ${COMPANY}, ${BRANCH}, 'p', 'completed', 'receipt', 5, '\\x00'::bytea, 1, '{"a": [], "b": {}}'::jsonb,
      '0500-01-02 03:04:05.006+00', '1969-12-31 23:59:59.999+00', '1000-01-01 00:00:00+00', NULL),
      ('late', ${COMPANY}, ${BRANCH}, 'p', 'completed', 'receipt', 5, '\\x00'::bytea, 1, NULL,
      '9999-12-31 23:59:59.999+00', '2100-01-01 00:00:00+00', '2100-01-01 00:00:00+00', NULL)`);
  const forJs = ORDER_DATA_FOR_JS.map((data, n) => job(n, `js-${n}`, data, COMPANY_FOR_JS));
  await database.db.insertInto('printJobs').values(forJs).execute();
  await exec(sql`INSERT INTO print_jobs (id, company_id, branch_id, printer_id, state, type, priority, content,
      byte_length, order_data, useful_until, created_at, updated_at)
    VALUES ('trailing-zero', ${COMPANY_FOR_JS}, 'js-branch', 'p', 'queued', 'receipt', 5, '\\x00'::bytea, 1,
      '{"price": 12.50}'::jsonb, now(), now(), now()),
      ('year-10000', ${COMPANY_FOR_JS}, 'js-branch', 'p', 'queued', 'receipt', 5, '\\x00'::bytea, 1, NULL,
      '10000-01-01 00:00:00+00', now(), now())`);
}
