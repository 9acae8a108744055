import { sql } from 'kysely';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectAgent, connectWeb, eventually } from '../support/socket-clients.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { createTestSchema, postgresAvailable, TEST_DATABASE_URL } from '../support/test-database.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

describe('health endpoints and metrics', () => {
  let gw: TestGateway;
  let tenant: Awaited<ReturnType<TestGateway['seedTenant']>>;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    gw = await startTestGateway();
    tenant = await gw.seedTenant();
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(() => gw.close());

  const get = async (path: string) => {
    const res = await fetch(`${gw.url}${path}`);
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text };
    }
    return { status: res.status, body, text, type: res.headers.get('content-type') };
  };

  it('answers every health path the runbooks call', async () => {
    const api = await get('/api/health');
    expect(api.status).toBe(200);
    expect(Object.keys(api.body).sort()).toEqual(['database', 'status', 'timestamp', 'uptime', 'websocket']);
    expect(api.body).toMatchObject({ status: 'ok', database: 'connected', websocket: 'active' });

    const full = await get('/health');
    // Runbook 001's words here; /api/health keeps the protocol's.
    expect(full.body).toMatchObject({
      status: 'healthy',
      database: 'connected',
      websocket: 'active',
      version: expect.any(String),
    });
    expect(full.body.checks).toMatchObject({
      database: { status: 'up', responseTime: expect.any(Number) },
      websocket: { status: 'up' },
      memory: { status: expect.stringMatching(/up|warning/), details: { heapUsedMB: expect.any(Number) } },
    });

    for (const path of ['/health/live', '/api/health/live'])
      expect((await get(path)).body).toMatchObject({ status: 'ok' });
    for (const path of ['/health/ready', '/api/health/ready']) {
      const r = await get(path);
      expect(r.status, path).toBe(200);
      expect(r.body).toMatchObject({ status: 'ready' });
    }
    const detailed = await get('/api/health/detailed');
    expect(detailed.body).toMatchObject({
      status: 'ok',
      ready: true,
      memory: { heapUsedBytes: expect.any(Number), rssBytes: expect.any(Number) },
      eventLoop: { meanMs: expect.any(Number), p99Ms: expect.any(Number) },
      connections: { agents: 0, webClients: 0 },
      pendingRequests: 0,
    });
    expect(detailed.body.checks).toMatchObject({ database: { status: 'up', responseTime: expect.any(Number) } });
  });

  it('exports Prometheus metrics with the printermaster_ prefix at every scrape path', async () => {
    const agent = await connectAgent(gw.url, {
      licenseKey: tenant.licenseKey,
      branchId: tenant.branchId,
      deviceId: 'm-agent',
      v2: false,
    });
    sockets.push(agent);
    sockets.push(await connectWeb(gw.url, await gw.token('super_admin')));
    await fetch(`${gw.url}/printing/printers`, {
      headers: { authorization: `Bearer ${await gw.token('super_admin')}` },
    });
    const scrape = await get('/metrics');
    expect(scrape.status).toBe(200);
    expect(scrape.type).toContain('text/plain');
    const names = [...scrape.text.matchAll(/^# TYPE (\S+) (\w+)$/gm)].map((m) => m[1] as string);
    expect(names.every((n) => n.startsWith('printermaster_'))).toBe(true);
    for (const name of [
      'printermaster_websocket_connections',
      'printermaster_websocket_unique_users',
      'printermaster_websocket_connects_total',
      'printermaster_websocket_disconnects_total',
      'printermaster_websocket_connection_duration_seconds',
      'printermaster_agents_connected',
      'printermaster_agents_by_quality',
      'printermaster_pending_requests',
      'printermaster_correlation_resolution_seconds',
      'printermaster_request_timeouts_total',
      'printermaster_stale_requests_cleaned_total',
      'printermaster_print_jobs',
      'printermaster_printers',
      'printermaster_print_job_transitions_total',
      'printermaster_print_job_duration_seconds',
      'printermaster_job_service_seconds',
      'printermaster_branch_in_service_hours',
      'printermaster_canary_seconds',
      'printermaster_canary_failures_total',
      'printermaster_http_request_duration_seconds',
      'printermaster_rate_limit_rejections_total',
      'printermaster_status_batches_total',
      'printermaster_websocket_deflate_messages_total',
      'printermaster_nodejs_eventloop_lag_seconds',
      'printermaster_process_resident_memory_bytes',
      'printermaster_memory_limit_bytes',
      'printermaster_ready',
    ]) {
      expect(names, name).toContain(name);
    }
    expect(scrape.text).toMatch(/printermaster_websocket_connections\{kind="agent"\} 1/);
    expect(scrape.text).toMatch(/printermaster_websocket_connections\{kind="web"\} 1/);
    expect(scrape.text).toMatch(/printermaster_agents_connected\{protocol="legacy"\} 1/);
    expect(scrape.text).toMatch(
      /printermaster_http_request_duration_seconds_count\{route="\/printing\/printers",method="GET",status_code="200"\} 1/,
    );
    expect(scrape.text).toMatch(/printermaster_ready 1/);
    expect(scrape.text).toMatch(/printermaster_websocket_deflate_messages_total\{way="shared"\} \d+/);
    for (const path of ['/metrics/prometheus', '/api/metrics'])
      expect((await get(path)).text).toContain('printermaster_websocket_connections');
    const websocket = await fetch(`${gw.url}/api/metrics/websocket`, {
      headers: { authorization: `Bearer ${await gw.token('super_admin')}` },
    });
    expect(await websocket.json()).toMatchObject({
      agents: 1,
      webClients: 1,
      agentsByProtocol: { legacy: 1 },
    });
  });

  it('counts open jobs by state at each scrape, and leaves finished ones to the transition counter', async () => {
    // Each state's jobs straight into the store: 3 queued, 1 held, 2 printing, and 50 finished ones.
    const states = [
      ...Array<string>(3).fill('queued'),
      'held',
      'printing',
      'printing',
      ...Array<string>(40).fill('completed'),
      ...Array<string>(10).fill('failed'),
    ];
    for (const [i, state] of states.entries())
      await sql`
        INSERT INTO print_jobs (id, company_id, branch_id, printer_id, state, type, priority, content, byte_length,
                                useful_until)
        VALUES (${`gauge-${i}`}, ${tenant.companyId}, ${tenant.branchId}, 'gauge-printer', ${state}, 'kitchen', 5,
                '\\x1b40'::bytea, 2, now() + interval '1 hour')`.execute(gw.database.db);
    const text = (await get('/metrics')).text;
    const gauge = Object.fromEntries(
      [...text.matchAll(/^printermaster_print_jobs\{state="(\w+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]),
    );
    expect(gauge).toEqual({ queued: 3, held: 1, sent: 0, accepted: 0, printing: 2 });
  });

  it('counts disconnects by kind and reason', async () => {
    const web = await connectWeb(gw.url, await gw.token('super_admin'));
    web.close();
    // Counted when the gateway handles the disconnect, a moment after the client closed.
    const disconnects =
      /printermaster_websocket_disconnects_total\{kind="web",reason="client namespace disconnect"\} \d+/;
    await eventually(async () => disconnects.test((await get('/metrics')).text), 10_000, 'the disconnect counted');
  });
});

describe('readiness follows the store', async () => {
  const available = await postgresAvailable();
  it.runIf(available)(
    'answers 503 not ready (and health down) while PostgreSQL is unreachable, and recovers',
    async () => {
      const url = new URL(TEST_DATABASE_URL);
      const proxy = new TcpProxy([{ host: url.hostname, port: Number(url.port || 5432) }]);
      await proxy.start();
      url.port = String(proxy.port);
      const { schema, drop } = await createTestSchema();
      const { openDatabase } = await import('../../src/store/database.js');
      const { migrate } = await import('../../src/store/migrator.js');
      const db = await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, schema });
      await migrate(db);
      await db.close();
      const gw = await startTestGateway({
        env: { DATABASE_URL: url.toString(), PRINTERMASTER_DATABASE_SCHEMA: schema },
      });
      try {
        expect((await fetch(`${gw.url}/health/ready`)).status).toBe(200);
        proxy.cut();
        const ready = await fetch(`${gw.url}/health/ready`);
        expect(ready.status).toBe(503);
        expect(await ready.json()).toMatchObject({ status: 'not_ready', reason: 'store unreachable' });
        const health = await fetch(`${gw.url}/api/health`);
        expect(health.status).toBe(503);
        expect(await health.json()).toMatchObject({ status: 'down', database: 'disconnected' });
        const full = await fetch(`${gw.url}/health`);
        expect(full.status).toBe(503);
        expect(await full.json()).toMatchObject({ status: 'unhealthy', database: 'disconnected' });
        expect((await fetch(`${gw.url}/health/live`)).status).toBe(200);
        // The shipped alert PrinterMasterNotReady and the runbooks' database_connected read these.
        const down = await (await fetch(`${gw.url}/metrics`)).text();
        expect(down).toMatch(/^printermaster_ready 0$/m);
        expect(down).toMatch(/^printermaster_database_connected 0$/m);
        proxy.restore();
        await eventually(
          async () => (await fetch(`${gw.url}/health/ready`)).status === 200,
          15_000,
          'ready again after the store came back',
        );
        const up = await (await fetch(`${gw.url}/metrics`)).text();
        expect(up).toMatch(/^printermaster_ready 1$/m);
        expect(up).toMatch(/^printermaster_database_connected 1$/m);
      } finally {
        await gw.close();
        await proxy.close();
        await drop();
      }
    },
  );
});
