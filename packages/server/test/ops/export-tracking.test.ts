import { request as httpRequest } from 'node:http';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricViews } from '../../src/metrics/metric-views.js';
import { eventually } from '../support/socket-clients.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

type ExportsView = Awaited<ReturnType<MetricViews['exports']>>;
type ExportEntry = ExportsView['recent'][number];

/** Enough jobs that their CSV (about 14 MB) outgrows what the loopback sockets buffer: the export cannot end unread. */
const MANY_JOBS = 60_000;

/** Running and recent CSV exports in `/api/metrics/exports`, and their Prometheus counters (docs/metrics.md#exports). */
describe('export tracking in /api/metrics/exports', () => {
  let gw: TestGateway;
  let acme: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let globex: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let admin: string;
  let owner: string;

  const insertJobs = (printerId: string, count: number, branchId = acme.branchId) =>
    sql`
      INSERT INTO print_jobs (id, company_id, branch_id, printer_id, state, type, priority, content, byte_length,
                              order_data, useful_until, created_at)
      SELECT ${printerId} || '-' || lpad(g::text, 6, '0'), ${acme.companyId}, ${branchId}, ${printerId}, 'completed',
             'receipt', 5, '\\x1b40'::bytea, 2, jsonb_build_object('orderId', 'O-' || g, 'note', 'no onions'),
             timestamptz '2026-03-01T00:00:00Z', timestamptz '2026-03-01T00:00:00Z' - make_interval(secs => g)
      FROM generate_series(1, ${count}) AS g`.execute(gw.database.db);

  beforeAll(async () => {
    gw = await startTestGateway();
    acme = await gw.seedTenant('Acme');
    globex = await gw.seedTenant('Globex');
    admin = await gw.token('super_admin');
    owner = await gw.token('company_owner', { companyId: acme.companyId });
    await insertJobs('small', 1_200);
    await insertJobs('many', MANY_JOBS);
  });
  afterAll(() => gw.close());

  const get = (path: string, token: string, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const exportsSeenBy = async (token: string): Promise<ExportsView> => {
    const res = await get('/api/metrics/exports', token);
    expect(res.status).toBe(200);
    return (await res.json()) as ExportsView;
  };
  const download = async (path: string, token: string) => {
    const res = await get(path, token);
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    return { lines: body.toString('utf8').split('\r\n').length - 2, bytes: body.length };
  };

  it('lists a finished job export with its rows, bytes, scope, actor and times', async () => {
    const got = await download('/printing/jobs?format=csv&printerId=small', owner);
    expect(got.lines).toBe(1_200);
    const seen = await exportsSeenBy(owner);
    expect(seen.scope).toEqual({ companyId: acme.companyId });
    expect(seen.running).toEqual([]);
    const entry = seen.recent[0] as ExportEntry;
    expect(entry).toEqual({
      id: expect.any(String),
      kind: 'jobs',
      scope: { companyId: acme.companyId, branchId: null },
      actor: 'user:company_owner-user',
      state: 'completed',
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      finishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      durationMs: expect.any(Number),
      rows: 1_200,
      bytes: got.bytes,
    });
    expect(Date.parse(entry.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(entry.startedAt));
    expect(entry.durationMs).toBe(Date.parse(entry.finishedAt ?? '') - Date.parse(entry.startedAt));
  });

  it('lists audit-log exports, every form of asking for one', async () => {
    for (const [path, headers] of [
      ['/api/audit-log?format=csv', {}],
      ['/api/audit-log?action=export', {}],
      ['/api/audit-log', { accept: 'text/csv' }],
    ] as const) {
      const res = await get(path, owner, headers);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    const audit = (await exportsSeenBy(owner)).recent.filter((e) => e.kind === 'audit-log');
    expect(audit).toHaveLength(3);
    expect(audit.every((e) => e.state === 'completed' && e.scope.companyId === acme.companyId)).toBe(true);
    expect(audit.every((e) => e.rows > 0)).toBe(true);
  });

  it('shows each tenant its own exports only, and super_admin every one', async () => {
    const manager = await gw.token('branch_manager', { companyId: acme.companyId, branchId: acme.branchId });
    await download('/printing/jobs?format=csv&printerId=small', manager);
    await download(`/printing/jobs?format=csv&printerId=small&companyId=${acme.companyId}`, admin);
    await download('/api/audit-log?format=csv', admin);

    const all = await exportsSeenBy(admin);
    expect(all.scope).toBe('process');
    expect(all.recent.slice(0, 3).map((e) => [e.kind, e.scope.companyId, e.scope.branchId, e.actor])).toEqual([
      ['audit-log', null, null, 'user:super_admin-user'],
      ['jobs', acme.companyId, null, 'user:super_admin-user'],
      ['jobs', acme.companyId, acme.branchId, 'user:branch_manager-user'],
    ]);
    // The owner sees its company's exports, a super_admin's of its company too; not one of every company.
    const own = await exportsSeenBy(owner);
    expect(own.recent.every((e) => e.scope.companyId === acme.companyId)).toBe(true);
    expect(own.recent.some((e) => e.actor === 'user:super_admin-user')).toBe(true);
    expect(own.recent.some((e) => e.actor === 'user:branch_manager-user')).toBe(true);
    // A branch manager sees its branch's exports, not the company-wide ones.
    const branch = await exportsSeenBy(manager);
    expect(branch.scope).toEqual({ companyId: acme.companyId, branchId: acme.branchId });
    expect(branch.recent.map((e) => e.actor)).toEqual(['user:branch_manager-user']);
    const stranger = await exportsSeenBy(await gw.token('company_owner', { companyId: globex.companyId }));
    expect(stranger).toMatchObject({ running: [], recent: [] });
  });

  it('does not count an export refused before its first row', async () => {
    const before = (await exportsSeenBy(admin)).recent.length;
    expect((await get(`/printing/jobs?format=csv&companyId=${globex.companyId}`, owner)).status).toBe(403);
    expect((await get('/printing/jobs?format=csv&state=bogus', owner)).status).toBe(400);
    expect((await exportsSeenBy(admin)).recent.length).toBe(before);
  });

  it('shows an export running while the client reads, and aborted once the client goes away', async () => {
    const aborted = await new Promise<ExportEntry>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: new URL(gw.url).port,
          path: '/printing/jobs?format=csv&printerId=many',
          headers: { authorization: `Bearer ${owner}` },
        },
        (res) => {
          res.once('data', () => {
            // Not reading on: the gateway holds the rest until the sockets drain, so it is still running.
            res.pause();
            const running = async () => (await exportsSeenBy(owner)).running.find((e) => e.kind === 'jobs');
            void eventually(running, 10_000, 'the export listed as running')
              .then(async (entry) => {
                expect(entry).toMatchObject({
                  state: 'running',
                  finishedAt: null,
                  scope: { companyId: acme.companyId },
                });
                expect(entry.rows).toBeGreaterThan(0);
                expect(entry.rows).toBeLessThan(MANY_JOBS);
                req.destroy();
                const found = async () => (await exportsSeenBy(owner)).recent.find((e) => e.id === entry.id);
                resolve(await eventually(found, 10_000, 'the export listed as finished'));
              })
              .catch(reject);
          });
        },
      );
      req.on('error', () => {});
      req.end();
    });
    expect(aborted.state).toBe('aborted');
    expect(aborted.rows).toBeLessThan(MANY_JOBS);
    expect(aborted.finishedAt).not.toBeNull();
    expect((await exportsSeenBy(owner)).running).toEqual([]);
  });

  it('counts exports by kind and outcome, and their rows, for Prometheus', async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.split(' ')[1]);
    };
    expect(value('printermaster_exports_total{kind="jobs",outcome="completed"}')).toBe(3);
    expect(value('printermaster_exports_total{kind="jobs",outcome="aborted"}')).toBe(1);
    expect(value('printermaster_exports_total{kind="audit-log",outcome="completed"}')).toBe(4);
    const jobRows = value('printermaster_export_rows_total{kind="jobs"}') ?? 0;
    expect(jobRows).toBeGreaterThan(3 * 1_200);
    expect(jobRows).toBeLessThan(3 * 1_200 + MANY_JOBS);
    expect(value('printermaster_export_rows_total{kind="audit-log"}')).toBeGreaterThan(0);
  });
});
