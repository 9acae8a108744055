import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LegacyDesktopClient } from '../support/legacy-desktop-client.js';
import { eventually } from '../support/socket-clients.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

describe('legacy desktop client (PrinterMaster 2.0.0 behaviour)', () => {
  let gw: TestGateway;
  let tenant: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let client: LegacyDesktopClient;
  let manager: string;

  beforeAll(async () => {
    gw = await startTestGateway({ env: { PRINTERMASTER_PRINTER_TEST_TIMEOUT_MS: '15000' } });
    tenant = await gw.seedTenant('Legacy Diner');
    manager = await gw.token('branch_manager', { companyId: tenant.companyId, branchId: tenant.branchId });
    client = new LegacyDesktopClient({
      serverUrl: gw.url,
      licenseKey: tenant.licenseKey,
      deviceId: 'POS-PC-01-device',
      printers: [
        {
          name: 'Kitchen Printer',
          type: 'thermal',
          connection: 'network',
          status: 'online',
          ip: '192.168.1.60',
          port: 9100,
        },
        { name: 'Receipt Printer', type: 'thermal', connection: 'usb', status: 'online' },
      ],
      discoveryIntervalMs: 1_000,
      testResultDelayMs: 20_000,
    });
  });
  afterAll(async () => {
    client.stop();
    await gw.close();
  });

  it('validates its licence over REST with the fields the client reads', async () => {
    const { status, body } = await client.validate();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      success: true,
      data: {
        licenseKey: tenant.licenseKey,
        branchId: tenant.branchId,
        companyId: tenant.companyId,
        companyName: 'Legacy Diner',
        branchName: 'Branch 1',
        status: 'active',
        deviceInfo: { deviceId: 'POS-PC-01-device' },
      },
    });
    expect(Array.isArray((body.data as { features: unknown }).features)).toBe(true);
  });

  it('answers an invalid licence with 4xx, success false and a code', async () => {
    for (const licenseKey of [randomUUID(), 'not-a-key']) {
      const res = await fetch(`${gw.url}/api/v1/printer-licenses/validate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ licenseKey, deviceInfo: { deviceId: 'x' } }),
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(await res.json()).toMatchObject({ success: false, code: 'AUTH_FAILED' });
    }
  });

  it('refuses unauthenticated bulk registration when no agent of the branch is connected from that address', async () => {
    const res = await fetch(`${gw.url}/api/v1/printing/printers/bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        branchId: tenant.branchId,
        printers: [{ name: 'Sneaky', type: 'thermal', connection: 'network', status: 'online' }],
      }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ success: false, code: 'AUTH_FAILED' });
    expect(await gw.stores.printers.findByName(tenant.branchId, 'Sneaky')).toBeUndefined();
  });

  it('connects, joins its branch and registers its printers through the bulk API and discovery events', async () => {
    await client.start();
    await eventually(
      async () => (await gw.stores.printers.list({ branchId: tenant.branchId })).length === 2 || undefined,
      10_000,
      'two printers',
    );
    await eventually(() => client.bulkResponses.length >= 2, 10_000, 'two discovery cycles');
    const [firstCycle, secondCycle] = client.bulkResponses as {
      status: number;
      body: {
        results: { success: boolean; duplicate: boolean; id: string; name: string }[];
        summary: { total: number };
      };
    }[];
    expect(firstCycle?.status).toBe(200);
    expect(firstCycle?.body.results.map((r) => [r.name, r.success])).toEqual([
      ['Kitchen Printer', true],
      ['Receipt Printer', true],
    ]);
    expect(secondCycle?.body.results.every((r) => r.duplicate)).toBe(true);
    expect(secondCycle?.body.results.map((r) => r.id)).toEqual(firstCycle?.body.results.map((r) => r.id));
    const kitchen = await gw.stores.printers.findByName(tenant.branchId, 'Kitchen Printer');
    expect(kitchen).toMatchObject({ ip: '192.168.1.60', port: 9100, deviceId: 'POS-PC-01-device' });
    // The discovery cycle is its only liveness signal; no error events come back for it.
    expect(gw.logs.filter((l) => l.msg === 'event rejected' && l.deviceId === 'POS-PC-01-device')).toEqual([]);
  });

  it('runs a printer test routed by printerId and answers at delivery, before the client’s own result', async () => {
    const kitchen = await gw.stores.printers.findByName(tenant.branchId, 'Kitchen Printer');
    const res = await fetch(`${gw.url}/printing/printers/${kitchen?.id}/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${manager}` },
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(200);
    expect(body).toMatchObject({
      success: true,
      delivered: true,
      outcome: 'unconfirmed',
      sourceClient: 'legacy_client',
      clientsAvailable: 1,
    });
    // Answered at the acknowledgement: the client's own result (20 s later) has not been sent yet.
    expect(client.resultsSent).toBe(0);
    expect(client.testsReceived[0]).toMatchObject({ printerId: kitchen?.id, printerName: 'Kitchen Printer' });
    expect(gw.logs.some((l) => l.msg === 'Request timeout')).toBe(false);
  });

  it('never writes the licence key or tokens into the logs', () => {
    const text = JSON.stringify(gw.logs);
    expect(gw.logs.length).toBeGreaterThan(10);
    expect(text).not.toContain(tenant.licenseKey);
    expect(text).not.toContain(manager);
  });
});
