import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricViews } from '../../src/metrics/metric-views.js';
import { connectAgent } from '../support/socket-clients.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

const VIEWS = ['websocket', 'health', 'ratelimit', 'performance', 'cache', 'exports'] as const;

type Answer<K extends keyof MetricViews> = MetricViews[K] extends (...a: never[]) => Promise<infer R> ? R : never;
/** The views' answers as the server builds them (the process-wide websocket view for super_admin). */
interface ViewOf {
  websocket: Extract<Answer<'websocket'>, { scope: 'process' }>;
  health: Answer<'healthChecks'>;
  ratelimit: Answer<'rateLimits'>;
  performance: Answer<'performance'>;
  cache: Answer<'caches'>;
  exports: Answer<'exports'>;
}

/** `value`, which the test has just seen to be there. */
function present<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new Error('expected a value');
  return value;
}

describe('JSON metric views under /api/metrics', () => {
  let gw: TestGateway;
  let tenant: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let other: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let admin: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({
      env: {
        // Two writes a minute per credential: the third is refused.
        PRINTERMASTER_WRITE_RATE_PER_CREDENTIAL: '2',
        PRINTERMASTER_RATE_LIMIT_WHITELIST: 'user:*:batch-processor',
        // Every statement is "slow": the log's entries can be looked at.
        PRINTERMASTER_SLOW_QUERY_MS: '0',
        // …and the log keeps the newest 60 of them (PRINTERMASTER_SLOW_QUERIES_KEPT, 100 by default).
        PRINTERMASTER_SLOW_QUERIES_KEPT: '60',
      },
    });
    tenant = await gw.seedTenant('Metrics company');
    other = await gw.seedTenant('Other company');
    admin = await gw.token('super_admin');
    sockets.push(
      await connectAgent(gw.url, { licenseKey: tenant.licenseKey, branchId: tenant.branchId, deviceId: 'mv-agent' }),
    );
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await gw.close();
  });

  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(`${gw.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const view = async <K extends keyof ViewOf>(name: K, token = admin): Promise<ViewOf[K]> => {
    const res = await call('GET', `/api/metrics/${name}`, token);
    expect(res.status, name).toBe(200);
    return res.body as unknown as ViewOf[K];
  };
  const as = (sub: string) => gw.jwt.sign({ sub, role: 'super_admin' }, '1h');

  it('refuses every view without credentials, and process-wide views below super_admin', async () => {
    const owner = await gw.token('company_owner', { companyId: tenant.companyId });
    const cashier = await gw.token('cashier', { companyId: tenant.companyId, branchId: tenant.branchId });
    for (const name of VIEWS) {
      const anonymous = await call('GET', `/api/metrics/${name}`);
      expect(anonymous.status, name).toBe(401);
      expect(anonymous.body).toMatchObject({ code: 'AUTH_FAILED' });
      expect((await call('GET', `/api/metrics/${name}`, cashier)).status, name).toBe(403);
    }
    for (const name of ['health', 'ratelimit', 'performance', 'cache'] as const)
      expect((await call('GET', `/api/metrics/${name}`, owner)).status, name).toBe(403);
    // The Prometheus text stays open to the scraper.
    expect((await fetch(`${gw.url}/api/metrics`)).status).toBe(200);
  });

  it('shows super_admin the process’s connections, and a company owner their own agents only', async () => {
    const all = await view('websocket');
    expect(all).toMatchObject({
      scope: 'process',
      connections: 1,
      connectionsByKind: { agent: 1, web: 0 },
      agents: 1,
      agentsByProtocol: { v2: 1, legacy: 0 },
      webClients: 0,
      rooms: expect.any(Number),
      messagesPerSecond: { in: expect.any(Number), out: expect.any(Number), windowS: expect.any(Number) },
    });
    // The agent's handshake and hello at least.
    expect(all.messages.in).toBeGreaterThan(0);
    expect(all.messages.out).toBeGreaterThan(0);

    const own = await view('websocket', await gw.token('company_owner', { companyId: tenant.companyId }));
    expect(own).toEqual({
      timestamp: expect.any(String),
      scope: { companyId: tenant.companyId },
      agents: 1,
      agentsByProtocol: { v2: 1, legacy: 0 },
    });
    const foreign = await view('websocket', await gw.token('company_owner', { companyId: other.companyId }));
    expect(foreign).toMatchObject({ scope: { companyId: other.companyId }, agents: 0 });
    const branch = await gw.token('branch_manager', { companyId: tenant.companyId, branchId: other.branchId });
    expect(await view('websocket', branch)).toMatchObject({ agents: 0 });
  });

  it('lists the health checks with their response times', async () => {
    const health = await view('health');
    expect(health).toMatchObject({ status: 'ok', ready: true, durationMs: expect.any(Number) });
    expect(health.checks).toMatchObject({
      database: { status: 'up', responseTimeMs: expect.any(Number) },
      websocket: { status: 'up', responseTimeMs: null, details: { connectedAgents: 1 } },
      memory: { status: expect.stringMatching(/up|warning/) },
      eventLoop: { status: expect.any(String) },
    });
  });

  it('shows a rate-limit refusal in its limiter, and never limits a whitelisted key', async () => {
    const before = await view('ratelimit');
    expect(before.whitelist).toEqual(['user:*:batch-processor']);
    expect(Object.keys(before.limiters).sort()).toEqual([
      'licence_validate',
      'printer_test_branch',
      'printer_test_printer',
      'write_branch',
      'write_credential',
    ]);
    expect(before.limiters.write_credential).toMatchObject({ points: 2, durationS: 60, blockedKeys: 0, rejections: 0 });

    const limited = await as('busy-admin');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await call('POST', '/admin/companies', limited, { name: `L${i}` })).status);
    expect(statuses).toEqual([201, 201, 429]);
    const exempt = await as('batch-processor');
    for (let i = 0; i < 3; i++)
      expect((await call('POST', '/admin/companies', exempt, { name: `W${i}` })).status).toBe(201);

    const after = await view('ratelimit');
    expect(after.limiters.write_credential).toMatchObject({
      points: 2,
      blockedKeys: 1,
      blocked: [{ key: 'user:*:busy-admin', retryAfterMs: expect.any(Number) }],
      rejections: 1,
    });
    // Read from the same counter Prometheus scrapes.
    expect(await (await fetch(`${gw.url}/metrics`)).text()).toContain(
      'printermaster_rate_limit_rejections_total{scope="write_credential"} 1',
    );
  });

  it('answers HTTP percentiles per route and the event-loop lag', async () => {
    for (let i = 0; i < 3; i++) await view('exports');
    const perf = await view('performance');
    expect(perf.http['GET /api/metrics/exports']).toEqual({
      count: expect.any(Number),
      p50Ms: expect.any(Number),
      p95Ms: expect.any(Number),
      p99Ms: expect.any(Number),
    });
    const route = present(perf.http['GET /api/metrics/exports']);
    expect(route.count).toBeGreaterThanOrEqual(3);
    expect(route.p50Ms).toBeLessThanOrEqual(present(route.p95Ms));
    expect(route.p95Ms).toBeLessThanOrEqual(present(route.p99Ms));
    expect(perf.eventLoopLag).toMatchObject({ meanMs: expect.any(Number), p99Ms: expect.any(Number) });
  });

  it('raises the printer cache’s hit rate as jobs for one printer arrive', async () => {
    // A credential of its own per write: the write limit here is two a minute per credential.
    const owner = (n: number) =>
      gw.jwt.sign({ sub: `cache-writer-${n}`, role: 'company_owner', companyId: tenant.companyId }, '1h');
    const created = await call('POST', '/printing/printers', await owner(0), {
      branchId: tenant.branchId,
      name: 'Bar',
    });
    expect(created.status).toBe(201);
    const printerId = (created.body.printer as { id: string }).id;
    const submit = async (n: number) =>
      (
        await call('POST', '/printing/jobs', await owner(n), {
          printerId,
          content: Buffer.from('\x1b@hi\n').toString('base64'),
        })
      ).status;
    expect(await submit(1)).toBe(202);
    const caches = (await view('cache')).caches;
    expect(Object.keys(caches).sort()).toEqual(['licences', 'previews', 'printers', 'tenants']);
    const first = present(caches.printers);
    for (let n = 2; n < 7; n++) expect(await submit(n)).toBe(202);
    const later = await view('cache');
    const then = present(later.caches.printers);
    expect(then.hits).toBeGreaterThanOrEqual(first.hits + 5);
    expect(then.hitRate).toBeGreaterThan(first.hitRate ?? 0);
    expect(then.hitRate).toBeLessThanOrEqual(1);
    // The agent's handshake read its branch and company.
    const tenants = present(later.caches.tenants);
    expect(tenants.hits + tenants.misses).toBeGreaterThan(0);
    expect(await (await fetch(`${gw.url}/metrics`)).text()).toContain(
      `printermaster_cache_lookups_total{cache="printers",result="hit"} ${then.hits}`,
    );
  });

  it('lists slow statements with their duration and time, never their values', async () => {
    const writer = await gw.jwt.sign({ sub: 'slow-writer', role: 'company_owner', companyId: tenant.companyId }, '1h');
    const name = 'Secret-printer-name-4711';
    const created = await call('POST', '/printing/printers', writer, { branchId: tenant.branchId, name });
    const printerId = (created.body.printer as { id: string }).id;
    const content = Buffer.from('\x1b@TICKET-BYTES-0815\n').toString('base64');
    expect((await call('POST', '/printing/jobs', writer, { printerId, content })).status).toBe(202);

    const perf = await view('performance');
    expect(perf.slowQueryThresholdMs).toBe(0);
    expect(perf.slowQueries.length).toBe(60);
    expect(perf.slowQueries[0]).toEqual({
      statement: expect.any(String),
      durationMs: expect.any(Number),
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const statements = perf.slowQueries.map((q) => q.statement);
    expect(statements.some((s) => s.includes('insert into "print_jobs"'))).toBe(true);
    const text = JSON.stringify(perf.slowQueries);
    for (const value of [name, content, printerId, 'TICKET-BYTES']) expect(text).not.toContain(value);
  });

  it('answers the exports of the caller’s scope, none before any (export-tracking.test.ts has the rest)', async () => {
    const owner = await gw.token('company_owner', { companyId: tenant.companyId });
    expect(await view('exports', owner)).toEqual({
      timestamp: expect.any(String),
      scope: { companyId: tenant.companyId },
      running: [],
      recent: [],
    });
    expect(await view('exports')).toMatchObject({ scope: 'process', running: [], recent: [] });
  });
});
