import { Agent, request } from 'node:http';
import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { connectAgent, eventually, nextEvent } from '../support/socket-clients.js';
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
    const agent = await connectAgent(gw.url, {
      licenseKey: tenant.licenseKey,
      branchId: tenant.branchId,
      deviceId: 'silent',
    });
    sockets.push(agent);
    const test = (signal?: AbortSignal) =>
      fetch(`${gw?.url}/printing/printers/${printerId}/test`, {
        method: 'POST',
        headers: { authorization: `Bearer ${manager}` },
        ...(signal ? { signal } : {}),
      });
    /** Resolves once the agent has the test request: the handler is waiting for its answer. */
    const sent = () => nextEvent(agent, 'printer:test', 30_000);
    return { gw, test, sent };
  }

  /**
   * A log line of the stop, read once `stop` has resolved: the number of requests in flight when
   * the drain began is told nowhere else (the gateway exposes no in-flight count).
   */
  const stopLine = (g: TestGateway, msg: 'gateway draining' | 'gateway stopped') => {
    const line = g.logs.find((l) => l.msg === msg);
    if (!line) throw new Error(`no "${msg}" line`);
    return line;
  };

  it('counts nothing once answered requests are done, so a stop does not wait', async () => {
    const { gw: g, test } = await gatewayWithSilentAgent();
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${g.url}/health/live`);
      expect(res.status).toBe(200);
    }
    // A test that times out is answered too (504), and must not stay counted.
    expect((await test()).status).toBe(504);
    await g.stop('test');
    expect(stopLine(g, 'gateway draining').inFlight).toBe(0);
  });

  it('stops counting a request whose client hung up, even after its handler gave up', async () => {
    const { gw: g, test, sent } = await gatewayWithSilentAgent();
    const abort = new AbortController();
    const received = sent();
    const request = test(abort.signal).catch((err: unknown) => err);
    await received;
    abort.abort();
    expect(await request).toBeInstanceOf(Error);
    // The handler still waits for the agent until the test's deadline, then fails into a closed socket.
    await eventually(
      async () => {
        const detail = (await (await fetch(`${g.url}/api/health/detailed`)).json()) as { pendingRequests: number };
        return detail.pendingRequests === 0;
      },
      30_000,
      'the printer test given up',
    );
    await g.stop('test');
    expect(stopLine(g, 'gateway draining').inFlight).toBe(0);
    // Nothing held the stop: neither the count nor the client's keep-alive connection, which the
    // answer (a 504 into a socket nobody reads) left open. Its deadline is 20 s.
    expect(stopLine(g, 'gateway stopped').durationMs as number).toBeLessThan(10_000);
  });

  it('answers a request that is in flight when the stop begins before closing its connection', async () => {
    const { gw: g, test, sent } = await gatewayWithSilentAgent(3_000);
    const received = sent();
    const answer = test().then(async (res) => ({ status: res.status, body: (await res.json()) as { code?: string } }));
    await received;
    const stopping = g.stop('test');
    // The agent never answers: the test runs to its own 3 s deadline during the drain, and its
    // client gets that answer rather than a reset connection.
    expect(await answer).toEqual({ status: 504, body: expect.objectContaining({ code: 'TIMEOUT' }) });
    await stopping;
    expect(stopLine(g, 'gateway draining').inFlight).toBe(1);
  });
  it('answers keep-alive clients that keep polling through a stop, and never resets one', async () => {
    const g = await startTestGateway({ env: { PRINTERMASTER_SHUTDOWN_TIMEOUT_MS: '20000' } });
    gw = g;
    const url = new URL('/api/health', g.url);
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const outcome = { answered: 0, answeredWhileStopping: 0, resets: [] as string[] };
    let stopping = false;
    /** One request on the pooled keep-alive connections: its status, or the error's code. */
    const poll = () =>
      new Promise<number | string>((resolve) => {
        const req = request(url, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
        });
        req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
        req.end();
      });
    // Sixteen clients, each sending its next request as soon as the last one is answered: at any
    // moment of the stop some have a request on its way on a connection the server sees as idle.
    const pollers = Array.from({ length: 16 }, async () => {
      for (;;) {
        const result = await poll();
        if (result === 200) {
          outcome.answered++;
          if (stopping) outcome.answeredWhileStopping++;
        } else if (result === 'ECONNREFUSED') {
          return; // the gateway has stopped accepting: a new connection goes elsewhere in a cluster
        } else outcome.resets.push(String(result));
      }
    });
    await eventually(async () => outcome.answered >= 200, 30_000, 'the pollers under way');
    stopping = true;
    await g.stop('test');
    await Promise.all(pollers);
    agent.destroy();
    expect(outcome.resets).toEqual([]);
    expect(outcome.answeredWhileStopping).toBeGreaterThan(0);
  });
});
