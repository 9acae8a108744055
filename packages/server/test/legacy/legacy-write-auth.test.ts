import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WireAgent } from '../jobs/test-agent.js';
import { LegacyDesktopClient } from '../support/legacy-desktop-client.js';
import { eventually } from '../support/socket-clients.js';
import { postgresAvailable } from '../support/test-database.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

const stores = (await postgresAvailable()) ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

/** The repro of issue 14 item 5: every party is on 127.0.0.1, the address the victim's agent uses. */
describe.each(stores)('credential-less legacy writes are bound to the live legacy socket (%s)', (store) => {
  let gw: TestGateway;
  let victim: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let neighbour: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let v2Tenant: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let victimClient: LegacyDesktopClient;
  let neighbourClient: LegacyDesktopClient;
  let v2Agent: WireAgent;
  const VICTIM_DEVICE = 'VICTIM-PC-device';

  const bulk = async (body: Record<string, unknown>) => {
    const res = await fetch(`${gw.url}/api/v1/printing/printers/bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  /** What an attacker would change: every printer's identity and address, in every branch. */
  const snapshot = async () =>
    (await gw.stores.printers.list({}))
      .map((p) => `${p.branchId}|${p.name}|${p.ip}|${p.port}|${p.deviceId}|${p.connection}`)
      .sort();
  const printer = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    type: 'thermal',
    connection: 'network',
    status: 'online',
    ip: '10.66.66.66',
    port: 9100,
    ...extra,
  });

  beforeAll(async () => {
    gw = await startTestGateway({ store });
    victim = await gw.seedTenant('Victim Grill');
    neighbour = await gw.seedTenant('Neighbour Cafe');
    v2Tenant = await gw.seedTenant('Modern Bistro');
    victimClient = new LegacyDesktopClient({
      serverUrl: gw.url,
      licenseKey: victim.licenseKey,
      deviceId: VICTIM_DEVICE,
      printers: [
        { name: 'Kitchen', type: 'thermal', connection: 'network', status: 'online', ip: '192.168.1.60', port: 9100 },
      ],
    });
    neighbourClient = new LegacyDesktopClient({
      serverUrl: gw.url,
      licenseKey: neighbour.licenseKey,
      deviceId: 'NEIGHBOUR-PC-device',
      printers: [{ name: 'Bar', type: 'thermal', connection: 'usb', status: 'online' }],
    });
    await victimClient.start();
    await neighbourClient.start();
    v2Agent = await WireAgent.connect(gw.url, {
      licenseKey: v2Tenant.licenseKey,
      branchId: v2Tenant.branchId,
      deviceId: 'V2-PC-device',
    });
    // Each client's first discovery cycle (30 s apart) has run: its bulk answer is in.
    await eventually(() => victimClient.bulkResponses.length >= 1 && neighbourClient.bulkResponses.length >= 1, 10_000);
  });
  afterAll(async () => {
    victimClient?.stop();
    neighbourClient?.stop();
    v2Agent?.close();
    await gw?.close();
  });

  it('lets the unchanged 2.0.0 client register its printers through the bulk API', async () => {
    expect(victimClient.bulkResponses[0]).toMatchObject({
      status: 200,
      body: { success: true, results: [{ success: true, duplicate: false, name: 'Kitchen' }] },
    });
    expect(await gw.stores.printers.findByName(victim.branchId, 'Kitchen')).toMatchObject({
      ip: '192.168.1.60',
      deviceId: VICTIM_DEVICE,
    });
    // A second cycle by the same client is honoured too, as a duplicate.
    await victimClient.discover();
    expect(victimClient.bulkResponses[1]).toMatchObject({ status: 200, body: { results: [{ duplicate: true }] } });
  });

  it('refuses the repro: the victim branch id, no credentials, from the victim agent’s address', async () => {
    const before = await snapshot();
    const res = await bulk({
      branchId: victim.branchId,
      printers: [printer('Kitchen'), printer('Evil')],
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ success: false, code: 'AUTH_FAILED' });
    expect(await snapshot()).toEqual(before);
    expect(await gw.stores.printers.findByName(victim.branchId, 'Kitchen')).toMatchObject({ ip: '192.168.1.60' });
    expect(await gw.stores.printers.findByName(victim.branchId, 'Evil')).toBeUndefined();
  });

  it('refuses a device that is not the branch’s live legacy socket', async () => {
    const before = await snapshot();
    const attempts = [
      // Another branch's legacy client, naming itself, writing to the victim's branch.
      { branchId: victim.branchId, printers: [printer('Kitchen', { discoveredBy: 'NEIGHBOUR-PC-device' })] },
      // A device id that is connected nowhere.
      { branchId: victim.branchId, printers: [printer('Kitchen', { discoveredBy: 'guessed-device' })] },
      // The v2 agent of its own branch: v2 agents register printers on their socket, never here.
      { branchId: v2Tenant.branchId, printers: [printer('Kitchen', { discoveredBy: 'V2-PC-device' })] },
      // Two devices in one request, one of them the victim's.
      {
        branchId: victim.branchId,
        printers: [printer('Kitchen', { discoveredBy: VICTIM_DEVICE }), printer('Evil', { discoveredBy: 'x' })],
      },
      // The victim's device, but a printer that names another branch.
      {
        branchId: victim.branchId,
        printers: [printer('Kitchen', { discoveredBy: VICTIM_DEVICE, branchId: neighbour.branchId })],
      },
      // The victim's device with a licence key that is not the victim's licence.
      {
        branchId: victim.branchId,
        licenseKey: neighbour.licenseKey,
        printers: [printer('Kitchen', { discoveredBy: VICTIM_DEVICE })],
      },
    ];
    for (const body of attempts) {
      const res = await bulk(body);
      expect(res.status, JSON.stringify(body)).toBe(401);
      expect(res.body).toMatchObject({ success: false, code: 'AUTH_FAILED' });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('takes the licence key when a client sends its own', async () => {
    const res = await bulk({
      branchId: neighbour.branchId,
      licenseKey: neighbour.licenseKey,
      printers: [printer('Bar', { connection: 'usb', ip: null, port: null, discoveredBy: 'NEIGHBOUR-PC-device' })],
    });
    expect(res).toMatchObject({ status: 200, body: { success: true, results: [{ duplicate: true, name: 'Bar' }] } });
  });

  it('refuses the client’s own device id once its socket is gone', async () => {
    neighbourClient.stop();
    // Gone from the directory means gone from the process's agent link too (it is removed first).
    await eventually(
      async () => (await gw.cluster.directory.find(neighbour.branchId, 'NEIGHBOUR-PC-device')) === undefined,
      10_000,
      'the neighbour client disconnected',
    );
    const res = await bulk({
      branchId: neighbour.branchId,
      printers: [printer('Bar', { discoveredBy: 'NEIGHBOUR-PC-device' })],
    });
    expect(res).toMatchObject({ status: 401, body: { success: false, code: 'AUTH_FAILED' } });
    expect(await gw.stores.printers.findByName(neighbour.branchId, 'Bar')).toMatchObject({
      ip: null,
      connection: 'usb',
    });
  });
});
