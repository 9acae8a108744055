import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { connectAgent } from '../support/socket-clients.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * A graceful stop waits for requests in flight (pm2 reload, rolling restarts). What counts as
 * in flight must come back to zero by itself, whether a request was answered or its client hung up.
 */
describe('requests in flight during a graceful stop', () => {
  let gw: TestGateway | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await gw?.close();
    gw = undefined;
  });

  async function gatewayWithSilentAgent(testTimeoutMs = 600) {
    gw = await startTestGateway({
      env: {
        PRINTERMASTER_PRINTER_TEST_TIMEOUT_MS: String(testTimeoutMs),
        PRINTERMASTER_SHUTDOWN_TIMEOUT_MS: '20000',
      },
    });
    const tenant = await gw.seedTenant();
    const manager = await gw.token('branch_manager', { companyId: tenant.companyId, branchId: tenant.branchId });
    const created = await fetch(`${gw.url}/printing/printers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json' },
      body: JSON.stringify({ branchId: tenant.branchId, name: 'Bar', ip: '127.0.0.1', port: 9100 }),
    });
    const printerId = ((await created.json()) as { printer: { id: string } }).printer.id;
    // An agent that takes printer tests and never answers them.
    sockets.push(
      await connectAgent(gw.url, { licenseKey: tenant.licenseKey, branchId: tenant.branchId, deviceId: 'silent' }),
    );
    const test = (signal?: AbortSignal) =>
      fetch(`${gw?.url}/printing/printers/${printerId}/test`, {
        method: 'POST',
        headers: { authorization: `Bearer ${manager}` },
        ...(signal ? { signal } : {}),
      });
    return { gw, test };
  }

  const drainingLine = (g: TestGateway) => g.waitForLog((l) => l.msg === 'gateway draining', 30_000);

  it('counts nothing once answered requests are done, so a stop does not wait', async () => {
    const { gw: g, test } = await gatewayWithSilentAgent();
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${g.url}/health/live`);
      expect(res.status).toBe(200);
    }
    // A test that times out is answered too (504), and must not stay counted.
    expect((await test()).status).toBe(504);
    const draining = drainingLine(g);
    const stopping = g.stop('test');
    expect((await draining).inFlight).toBe(0);
    await stopping;
  });

  it('stops counting a request whose client hung up, even after its handler gave up', async () => {
    const { gw: g, test } = await gatewayWithSilentAgent();
    const abort = new AbortController();
    const sent = g.waitForLog((l) => l.msg === 'printer test sent');
    const request = test(abort.signal).catch((err: unknown) => err);
    await sent;
    abort.abort();
    expect(await request).toBeInstanceOf(Error);
    // The handler still waits for the agent until the test's deadline, then fails into a closed socket.
    await g.waitForLog((l) => l.msg === 'Request timeout');
    const draining = drainingLine(g);
    const stopped = g.waitForLog((l) => l.msg === 'gateway stopped', 30_000);
    const stopping = g.stop('test');
    expect((await draining).inFlight).toBe(0);
    await stopping;
    // Nothing held the stop: neither the count nor the client's keep-alive connection, which the
    // answer (a 504 into a socket nobody reads) left open. Its deadline is 20 s.
    expect((await stopped).durationMs as number).toBeLessThan(10_000);
  });

  it('answers a request that is in flight when the stop begins before closing its connection', async () => {
    const { gw: g, test } = await gatewayWithSilentAgent(3_000);
    const sent = g.waitForLog((l) => l.msg === 'printer test sent');
    const answer = test().then(async (res) => ({ status: res.status, body: (await res.json()) as { code?: string } }));
    await sent;
    const draining = drainingLine(g);
    const stopping = g.stop('test');
    expect((await draining).inFlight).toBe(1);
    // The agent never answers: the test runs to its own 3 s deadline during the drain, and its
    // client gets that answer rather than a reset connection.
    expect(await answer).toEqual({ status: 504, body: expect.objectContaining({ code: 'TIMEOUT' }) });
    await stopping;
  });
});
