import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, connectAgent, connectWeb, eventually, nextEvent } from '../support/socket-clients.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * A legacy (2.0.0) client, driven by hand: it echoes no correlation ID and sends its result
 * about 20 s after the test, after the next test of the same printer may have gone out.
 */
describe('legacy printer tests are reported truthfully', () => {
  let gw: TestGateway;
  let t: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let manager: string;
  let printerId: string;
  let legacy: Socket;
  let web: Socket;
  const requests: { printerId: string; correlationId?: string }[] = [];

  beforeAll(async () => {
    gw = await startTestGateway();
    t = await gw.seedTenant(`Legacy-${randomUUID().slice(0, 6)}`);
    manager = await gw.token('branch_manager', { companyId: t.companyId, branchId: t.branchId });
    const created = await fetch(`${gw.url}/printing/printers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json' },
      body: JSON.stringify({ branchId: t.branchId, name: 'Bar', ip: '127.0.0.1', port: 9100 }),
    });
    printerId = ((await created.json()) as { printer: { id: string } }).printer.id;
    legacy = await connectAgent(gw.url, {
      licenseKey: t.licenseKey,
      branchId: t.branchId,
      deviceId: 'POS-legacy',
      v2: false,
    });
    legacy.on('printer:test', (req: { printerId: string; correlationId?: string }) => requests.push(req));
    web = await connectWeb(gw.url, manager);
  });
  afterAll(async () => {
    legacy?.close();
    web?.close();
    await gw.close();
  });

  const runTest = () =>
    fetch(`${gw.url}/printing/printers/${printerId}/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${manager}` },
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
  const ack = () => legacy.emit('printer:test:ack', { printerId, message: 'Test print received' });
  const result = (success: boolean, message: string) =>
    legacy.emit('printer:test:result', { printerId, success, message, timestamp: new Date().toISOString() });

  it('answers at the acknowledgement, and a late result answers only its own test', async () => {
    const completed = collect<{ correlationId: string; outcome: string; message: string }>(
      web,
      'printer:test:completed',
    );
    // Test 1: delivered, answered at once.
    const first = runTest();
    await eventually(() => requests.length === 1, 5_000, 'test 1 delivered');
    ack();
    const one = await first;
    expect(one).toMatchObject({
      status: 200,
      body: { success: true, outcome: 'unconfirmed', delivered: true, sourceClient: 'legacy_client' },
    });

    // Test 2 goes out; test 1's late "Print job timeout" arrives before test 2 is acknowledged.
    const second = runTest();
    await eventually(() => requests.length === 2, 5_000, 'test 2 delivered');
    const firstResult = nextEvent<{ correlationId: string }>(web, 'printer:test:completed');
    result(false, 'Print job timeout');
    expect((await firstResult).correlationId).toBe(one.body.correlationId);
    ack();
    const two = await second;
    expect(two.body).toMatchObject({ success: true, outcome: 'unconfirmed', delivered: true });
    expect(two.body.message).toMatch(/received the test/);
    expect(two.body.correlationId).not.toBe(one.body.correlationId);

    // Test 2's own result reaches the dashboards under its own id.
    const secondResult = nextEvent<{ correlationId: string; outcome: string }>(web, 'printer:test:completed');
    result(true, 'printed');
    expect(await secondResult).toMatchObject({ correlationId: two.body.correlationId, outcome: 'printed' });
    expect(completed.map((c) => c.correlationId)).toEqual([one.body.correlationId, two.body.correlationId]);

    // Nothing of this was a request timeout.
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).not.toMatch(/printermaster_request_timeouts_total\{[^}]*\} [1-9]/);
    expect(gw.logs.some((l) => l.msg === 'Request timeout')).toBe(false);
  });

  it('lists a printer whose agent is gone as offline, with the reason', async () => {
    const view = async () =>
      (
        (await (
          await fetch(`${gw.url}/printing/printers/${printerId}`, { headers: { authorization: `Bearer ${manager}` } })
        ).json()) as { printer: { status: string; statusReason?: string } }
      ).printer;
    await fetch(`${gw.url}/printing/printers/${printerId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'online' }),
    });
    const gone = new Promise((r) => legacy.once('disconnect', r));
    legacy.close();
    await gone;
    await eventually(async () => (await view()).status === 'offline', 5_000, 'offline');
    expect(await view()).toMatchObject({ status: 'offline', statusReason: 'agent_disconnected' });
    const list = (await (
      await fetch(`${gw.url}/printing/printers?branchId=${t.branchId}&status=offline`, {
        headers: { authorization: `Bearer ${manager}` },
      })
    ).json()) as { printers: { id: string }[] };
    expect(list.printers.map((p) => p.id)).toContain(printerId);
  });
});
