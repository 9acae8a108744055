import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

/** RFC 4180, read independently of the gateway's writer: records of fields, quotes doubled. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || record.length > 0) throw new Error(`CSV does not end with CRLF: ${JSON.stringify(field)}`);
  return records;
}

interface EntryView {
  id: string;
  companyId: string | null;
  actor: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  sourceAddress: string | null;
  createdAt: string;
}

/** The audit log's reading API and the CSV exports (docs/api.md#audit-log), on both stores; PostgreSQL under row-level security. */
describe.each([{ store: 'pglite' as const }, { store: 'postgres' as const, rowLevelSecurity: true }])(
  'audit log API and CSV exports ($store)',
  (options) => {
    let gw: TestGateway;
    let acme: Awaited<ReturnType<TestGateway['seedTenant']>>;
    let globex: Awaited<ReturnType<TestGateway['seedTenant']>>;
    let admin: string;
    let owner: string;
    let manager: string;
    let cashier: string;

    const insert = (
      rows: {
        companyId: string | null;
        actor?: string;
        action: string;
        targetType?: string;
        targetId?: string;
        details?: Record<string, unknown>;
        createdAt?: string;
      }[],
    ) =>
      gw.database.db
        .insertInto('auditLog')
        .values(
          rows.map((r) => ({
            companyId: r.companyId,
            actor: r.actor ?? 'user:test',
            action: r.action,
            targetType: r.targetType ?? null,
            targetId: r.targetId ?? null,
            details: r.details ? JSON.stringify(r.details) : null,
            sourceAddress: '192.0.2.7',
            ...(r.createdAt ? { createdAt: r.createdAt } : {}),
          })),
        )
        .execute();

    beforeAll(async () => {
      gw = await startTestGateway(options);
      acme = await gw.seedTenant('Acme');
      globex = await gw.seedTenant('Globex');
      admin = await gw.token('super_admin');
      owner = await gw.token('company_owner', { companyId: acme.companyId });
      manager = await gw.token('branch_manager', { companyId: acme.companyId, branchId: acme.branchId });
      cashier = await gw.token('cashier', { companyId: acme.companyId, branchId: acme.branchId });
      await insert([
        ...[1, 2, 3, 4, 5].map((n) => ({
          companyId: acme.companyId,
          action: 'test.paged',
          actor: n % 2 ? 'user:odd' : 'user:even',
          targetType: 'printer',
          targetId: `p${n}`,
          createdAt: `2026-01-0${n}T12:00:00.000Z`,
        })),
        { companyId: globex.companyId, action: 'test.paged', targetType: 'printer', targetId: 'g1' },
        { companyId: globex.companyId, action: 'test.paged', targetType: 'printer', targetId: 'g2' },
        { companyId: null, action: 'test.paged', targetType: 'gateway', targetId: 'x' },
      ]);
    });
    afterAll(() => gw.close());

    const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
      fetch(`${gw.url}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
    const entries = async (path: string, token: string) => {
      const res = await get(path, token);
      expect(res.status).toBe(200);
      return (await res.json()) as { entries: EntryView[]; count: number; nextCursor?: string };
    };

    it('shows a super admin every company, an owner its own, and refuses branch roles and strangers', async () => {
      const all = await entries('/api/audit-log?action=test.paged', admin);
      expect(all.count).toBe(8);
      expect(new Set(all.entries.map((e) => e.companyId))).toEqual(new Set([acme.companyId, globex.companyId, null]));
      const globexOnly = await entries(`/api/audit-log?action=test.paged&companyId=${globex.companyId}`, admin);
      expect(globexOnly.entries.map((e) => e.targetId).sort()).toEqual(['g1', 'g2']);

      const own = await entries('/api/audit-log?action=test.paged', owner);
      expect(own.entries.map((e) => e.targetId)).toEqual(['p5', 'p4', 'p3', 'p2', 'p1']);
      expect(own.entries[0]).toMatchObject({ companyId: acme.companyId, sourceAddress: '192.0.2.7' });
      // The owner's own company's entries include what the gateway recorded when seeding it.
      expect((await entries('/api/audit-log', owner)).entries.every((e) => e.companyId === acme.companyId)).toBe(true);

      expect((await get(`/api/audit-log?companyId=${globex.companyId}`, owner)).status).toBe(403);
      expect((await get('/api/audit-log', manager)).status).toBe(403);
      expect((await get('/api/audit-log', cashier)).status).toBe(403);
      expect((await get('/api/audit-log')).status).toBe(401);
    });

    it('filters by actor, target and time, and pages newest first with an opaque cursor', async () => {
      const odd = await entries('/api/audit-log?action=test.paged&actor=user:odd', owner);
      expect(odd.entries.map((e) => e.targetId)).toEqual(['p5', 'p3', 'p1']);
      const one = await entries('/api/audit-log?targetType=printer&targetId=p2', owner);
      expect(one.entries.map((e) => e.action)).toEqual(['test.paged']);
      const window = await entries(
        '/api/audit-log?action=test.paged&from=2026-01-02T12:00:00Z&to=2026-01-04T12:00:00Z',
        owner,
      );
      expect(window.entries.map((e) => e.targetId)).toEqual(['p3', 'p2']);

      const seen: string[] = [];
      let path = '/api/audit-log?action=test.paged&limit=2';
      for (;;) {
        const page = await entries(path, owner);
        expect(page.count).toBeLessThanOrEqual(2);
        seen.push(...page.entries.map((e) => e.targetId as string));
        if (!page.nextCursor) break;
        path = `/api/audit-log?action=test.paged&limit=2&cursor=${page.nextCursor}`;
      }
      expect(seen).toEqual(['p5', 'p4', 'p3', 'p2', 'p1']);
    });

    it('refuses bad input with 400 BAD_REQUEST and the field path', async () => {
      const cases: [string, string][] = [
        ['limit=0', 'querystring/limit'],
        ['limit=1001', 'querystring/limit'],
        ['from=yesterday', 'querystring/from'],
        ['to=2026-13-01T00:00:00Z', 'querystring/to'],
        ['cursor=bm90LWEtY3Vyc29y', 'querystring/cursor'],
        ['format=xml', 'querystring/format'],
      ];
      for (const [query, path] of cases) {
        const res = await get(`/api/audit-log?${query}`, owner);
        expect({ query, status: res.status, body: await res.json() }).toMatchObject({
          query,
          status: 400,
          body: { code: 'BAD_REQUEST', path },
        });
      }
      const unknown = await get('/api/audit-log?colour=red', owner);
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as { path: string }).path).toMatch(/^querystring/);
    });

    it('exports CSV quoted as RFC 4180 says, with formula-looking cells defused', async () => {
      const tricky = ['a,b', 'say "hi"', 'line1\nline2', '=HYPERLINK("http://x")', '+1', '-2+3', '@SUM(A1)', '\tTAB'];
      await insert(
        tricky.map((targetId, n) => ({
          companyId: acme.companyId,
          action: 'test.csv',
          targetType: 'note',
          targetId,
          details: { n, text: targetId },
          createdAt: `2026-02-0${n + 1}T00:00:00.000Z`,
        })),
      );
      for (const [path, headers] of [
        ['/api/audit-log?action=test.csv&format=csv', {}],
        ['/api/audit-log?action=test.csv', { accept: 'text/csv' }],
      ] as const) {
        const res = await get(path, owner, headers);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
        expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-log-.+\.csv"$/);
        const [header, ...rows] = parseCsv(await res.text());
        expect(header).toEqual([
          'id',
          'createdAt',
          'companyId',
          'actor',
          'action',
          'targetType',
          'targetId',
          'sourceAddress',
          'details',
        ]);
        const defused = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
        expect(rows.map((r) => r[6])).toEqual([...tricky].reverse().map(defused));
        expect(rows.every((r) => r[2] === acme.companyId && r[4] === 'test.csv' && r[7] === '192.0.2.7')).toBe(true);
        expect(JSON.parse(rows[rows.length - 1]?.[8] ?? '')).toEqual({ n: 0, text: 'a,b' });
      }
    });

    it('treats action=export as the CSV export of the whole filtered log', async () => {
      const res = await get('/api/audit-log?action=export&targetType=printer', owner);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      const [, ...rows] = parseCsv(await res.text());
      expect(rows.map((r) => r[6])).toEqual(['p5', 'p4', 'p3', 'p2', 'p1']);
      // A refused filter is still answered as JSON, before any CSV is sent.
      const refused = await get(`/api/audit-log?action=export&companyId=${globex.companyId}`, owner);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toMatch(/json/);
    });

    it('streams 5,000 jobs of the history as CSV, complete and newest first, with the list filters', async () => {
      const printerId = 'printer-export';
      // Pairs of jobs share a creation time, so the keyset's tie-break on id is exercised across batches.
      await sql`
      INSERT INTO print_jobs (id, company_id, branch_id, printer_id, state, type, priority, content, byte_length,
                              reason, useful_until, created_at)
      SELECT 'job-' || lpad(g::text, 5, '0'), ${acme.companyId}, ${acme.branchId}, ${printerId},
             CASE WHEN g % 10 = 0 THEN 'failed' ELSE 'completed' END, 'receipt', 5, '\\x1b40'::bytea, 2,
             CASE WHEN g = 7 THEN '=1+1, "boom"' END,
             timestamptz '2026-03-01T00:00:00Z',
             timestamptz '2026-03-01T00:00:00Z' - make_interval(secs => g / 2)
      FROM generate_series(1, 5000) AS g`.execute(gw.database.db);
      const expected = Array.from({ length: 5000 }, (_, i) => i + 1)
        .sort((a, b) => Math.floor(a / 2) - Math.floor(b / 2) || b - a)
        .map((g) => `job-${String(g).padStart(5, '0')}`);

      const res = await get(`/printing/jobs?format=csv&printerId=${printerId}`, owner);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="print-jobs-.+\.csv"$/);
      const [header, ...rows] = parseCsv(await res.text());
      expect(header?.slice(0, 3)).toEqual(['id', 'createdAt', 'state']);
      expect(rows.map((r) => r[0])).toEqual(expected);
      expect(rows.find((r) => r[0] === 'job-00007')?.[12]).toBe(`'=1+1, "boom"`);

      const failed = await get(`/api/v1/printing/jobs?printerId=${printerId}&state=failed`, manager, {
        accept: 'text/csv',
      });
      const [, ...failedRows] = parseCsv(await failed.text());
      expect(failedRows.map((r) => r[0])).toEqual(expected.filter((id) => Number(id.slice(4)) % 10 === 0));
      expect(failedRows.every((r) => r[2] === 'failed')).toBe(true);

      // Another company's owner exports none of them; a bad filter is a JSON 400, not a broken download.
      const stranger = await gw.token('company_owner', { companyId: globex.companyId });
      const none = parseCsv(await (await get(`/printing/jobs?format=csv&printerId=${printerId}`, stranger)).text());
      expect(none).toHaveLength(1);
      const bad = await get('/printing/jobs?format=csv&state=bogus', owner);
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ code: 'BAD_REQUEST', path: 'querystring/state' });
    });
  },
);
