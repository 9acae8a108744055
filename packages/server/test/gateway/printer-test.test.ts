import { CORRELATION_ID_PATTERN } from '@printermaster/protocol';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectAgent, connectWeb, eventually, nextEvent } from '../support/socket-clients.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

interface TestRequest {
  printerId: string;
  printerName: string;
  correlationId: string;
  metadata: { timeout: number; expectedResponseEvent: string };
}

describe('printer tests over the socket', () => {
  let gw: TestGateway;
  let tenant: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let manager: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({
      env: {
        PRINTERMASTER_PRINTER_TEST_TIMEOUT_MS: '1500',
        PRINTERMASTER_STALE_SWEEP_INTERVAL_MS: '500',
        PRINTERMASTER_TEST_RATE_PER_PRINTER: '1000',
        PRINTERMASTER_TEST_RATE_PER_BRANCH: '1000',
      },
    });
    tenant = await gw.seedTenant();
    manager = await gw.token('branch_manager', { companyId: tenant.companyId, branchId: tenant.branchId });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(() => gw.close());

  async function printer(name: string): Promise<string> {
    const res = await fetch(`${gw.url}/printing/printers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json' },
      body: JSON.stringify({ branchId: tenant.branchId, name, ip: '127.0.0.1', port: 9100 }),
    });
    return ((await res.json()) as { printer: { id: string } }).printer.id;
  }

  const runTest = (printerId: string, path = '/printing') =>
    fetch(`${gw.url}${path}/printers/${printerId}/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${manager}` },
    });

  it('answers 503 PRINTER_OFFLINE at once when no agent of the branch is connected', async () => {
    const id = await printer('Offline');
    const res = await runTest(id);
    expect(res.status).toBe(503);
    const body = (await res.json()) as Record<string, string>;
    // "At once": no request was registered to wait for an agent, so no deadline was involved.
    expect(gw.logs.some((l) => l.msg === 'printer test sent' && l.correlationId === body.correlationId)).toBe(false);
    expect(gw.logs.some((l) => l.msg === 'Request timeout' && l.correlationId === body.correlationId)).toBe(false);
    expect(body).toMatchObject({ success: false, code: 'PRINTER_OFFLINE' });
    expect(body.suggestion).toBeTruthy();
    expect(body.correlationId).toMatch(CORRELATION_ID_PATTERN);
  });

  it('resolves a v2 test by correlation ID and tells the branch’s dashboards', async () => {
    const id = await printer('Kitchen');
    const agent = await connectAgent(gw.url, {
      licenseKey: tenant.licenseKey,
      branchId: tenant.branchId,
      deviceId: 'v2',
    });
    sockets.push(agent);
    const web = await connectWeb(gw.url, manager);
    sockets.push(web);
    agent.on('printer:test', (req: TestRequest) => {
      agent.emit('printer:test:ack', {
        printerId: req.printerId,
        correlationId: req.correlationId,
        message: 'received',
      });
      setTimeout(
        () =>
          agent.emit('printer:test:result', {
            printerId: req.printerId,
            correlationId: req.correlationId,
            success: true,
            message: 'printed',
            processingTime: 42,
          }),
        50,
      );
    });
    const completed = nextEvent<Record<string, unknown>>(web, 'printer:test:completed');
    const res = await runTest(id, '/api/v1/printing');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ success: true, outcome: 'printed', clientsAvailable: 1, message: 'printed' });
    expect(String(body.correlationId)).toMatch(/^printer_test_\d{13}_\d{1,6}_[0-9a-z]{7}$/);
    expect(await completed).toMatchObject({
      printerId: id,
      correlationId: body.correlationId,
      success: true,
      sourceClient: 'v2_agent',
    });
  });

  it('reports a failing printer as success: false with the agent’s error', async () => {
    const id = await printer('Broken');
    const agent = await connectAgent(gw.url, {
      licenseKey: tenant.licenseKey,
      branchId: tenant.branchId,
      deviceId: 'v2-broken',
    });
    sockets.push(agent);
    agent.on('printer:test', (req: TestRequest) =>
      agent.emit('printer:test:result', {
        printerId: req.printerId,
        correlationId: req.correlationId,
        success: false,
        error: 'paper out',
      }),
    );
    const body = (await (await runTest(id)).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ success: false, outcome: 'failed', error: 'paper out' });
  });

  it('answers 504 TIMEOUT when the agent does not answer, and logs the timeout', async () => {
    const id = await printer('Silent');
    const agent = await connectAgent(gw.url, {
      licenseKey: tenant.licenseKey,
      branchId: tenant.branchId,
      deviceId: 'v2-silent',
    });
    sockets.push(agent);
    const res = await runTest(id);
    expect(res.status).toBe(504);
    const body = (await res.json()) as { correlationId?: string };
    expect(body).toMatchObject({ success: false, code: 'TIMEOUT' });
    // Logged as the request expired, before the answer went out; and nothing is left waiting.
    expect(gw.logs.some((l) => l.msg === 'Request timeout' && l.correlationId === body.correlationId)).toBe(true);
    const detail = (await (await fetch(`${gw.url}/api/health/detailed`)).json()) as { pendingRequests: number };
    expect(detail.pendingRequests).toBe(0);
  });

  it('matches legacy acknowledgements by printer and allows one test per printer waiting for one', async () => {
    const id = await printer('Legacy kitchen');
    const legacy = await connectAgent(gw.url, {
      licenseKey: tenant.licenseKey,
      branchId: tenant.branchId,
      deviceId: 'legacy-1',
      v2: false,
    });
    sockets.push(legacy);
    const seen: TestRequest[] = [];
    legacy.on('printer:test', (req: TestRequest) => seen.push(req));
    const first = runTest(id);
    await eventually(() => seen.length === 1, 5_000, 'the test delivered');
    // Not acknowledged yet: a second test of the printer could not be told apart.
    const second = await runTest(id);
    expect(second.status).toBe(409);
    legacy.emit('printer:test:ack', { printerId: id, message: 'Test print received' });
    const body = (await (await first).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      success: true,
      outcome: 'unconfirmed',
      delivered: true,
      sourceClient: 'legacy_client',
    });
    expect(seen[0]).toMatchObject({ printerId: id, printerName: 'Legacy kitchen' });
  });

  it('reports a legacy test whose result comes after the deadline as delivered but unconfirmed', async () => {
    const id = await printer('Legacy bar');
    const legacy = await connectAgent(gw.url, {
      licenseKey: tenant.licenseKey,
      branchId: tenant.branchId,
      deviceId: 'legacy-2',
      v2: false,
    });
    sockets.push(legacy);
    legacy.on('printer:test', (req: TestRequest) =>
      legacy.emit('printer:test:ack', { printerId: req.printerId, message: 'ok' }),
    );
    const res = await runTest(id);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, outcome: 'unconfirmed', delivered: true });
  });

  it('limits printer tests per printer with RATE_LIMIT_EXCEEDED and resetIn', async () => {
    const limited = await startTestGateway({
      env: { PRINTERMASTER_TEST_RATE_PER_PRINTER: '2', PRINTERMASTER_PRINTER_TEST_TIMEOUT_MS: '1000' },
    });
    try {
      const t = await limited.seedTenant();
      const token = await limited.token('cashier', { companyId: t.companyId, branchId: t.branchId });
      const owner = await limited.token('company_owner', { companyId: t.companyId });
      const created = await fetch(`${limited.url}/printing/printers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
        body: JSON.stringify({ branchId: t.branchId, name: 'P' }),
      });
      const pid = ((await created.json()) as { printer: { id: string } }).printer.id;
      const agent = await connectAgent(limited.url, { licenseKey: t.licenseKey, branchId: t.branchId, deviceId: 'a' });
      agent.on('printer:test', (req: TestRequest) =>
        agent.emit('printer:test:result', {
          printerId: req.printerId,
          correlationId: req.correlationId,
          success: true,
        }),
      );
      const statuses: number[] = [];
      let last: Record<string, unknown> = {};
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${limited.url}/printing/printers/${pid}/test`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
        });
        statuses.push(res.status);
        last = (await res.json()) as Record<string, unknown>;
      }
      agent.close();
      expect(statuses).toEqual([200, 200, 429]);
      expect(last).toMatchObject({ success: false, code: 'RATE_LIMIT_EXCEEDED' });
      expect(last.resetIn).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});
