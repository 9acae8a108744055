import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LegacyDesktopClient } from '../support/legacy-desktop-client.js';
import { eventually } from '../support/socket-clients.js';
import { createTestSchema, postgresAvailable } from '../support/test-database.js';
import { startGatewayPair, type TestGateway } from '../support/test-gateway.js';
import { redisAvailable, TEST_REDIS_URL } from '../support/test-redis.js';

const ready = (await postgresAvailable()) && (await redisAvailable());

describe.runIf(ready)('a legacy bulk request that reaches another gateway process than its socket', () => {
  let a: TestGateway;
  let b: TestGateway;
  let drop: () => Promise<void>;
  let tenant: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let client: LegacyDesktopClient;
  const prefix = `test:${randomUUID()}:`;

  const bulk = async (gw: TestGateway, discoveredBy: string, name: string) => {
    const res = await fetch(`${gw.url}/api/v1/printing/printers/bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        branchId: tenant.branchId,
        printers: [{ name, type: 'thermal', connection: 'network', status: 'online', ip: '10.0.0.9', discoveredBy }],
      }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    const created = await createTestSchema();
    drop = created.drop;
    const env = { REDIS_URL: TEST_REDIS_URL, PRINTERMASTER_REDIS_PREFIX: prefix };
    [a, b] = await startGatewayPair(created.schema, env);
    tenant = await a.seedTenant();
    client = new LegacyDesktopClient({
      serverUrl: a.url,
      licenseKey: tenant.licenseKey,
      deviceId: 'ON-A-device',
      printers: [{ name: 'Kitchen', type: 'thermal', connection: 'network', status: 'online', ip: '10.0.0.8' }],
    });
    await client.start();
    await eventually(async () => (await b.cluster.directory.find(tenant.branchId, 'ON-A-device')) !== undefined);
  });
  afterAll(async () => {
    client?.stop();
    await a?.close();
    await b?.close();
    await drop?.();
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('is honoured for the device whose socket the other process holds, from its address', async () => {
    const res = await bulk(b, 'ON-A-device', 'Bar');
    expect(res).toMatchObject({ status: 200, body: { success: true, results: [{ success: true, name: 'Bar' }] } });
    expect(await b.stores.printers.findByName(tenant.branchId, 'Bar')).toMatchObject({ deviceId: 'ON-A-device' });
  });

  it('is refused for any other device of that branch', async () => {
    const res = await bulk(b, 'NOT-CONNECTED-device', 'Evil');
    expect(res).toMatchObject({ status: 401, body: { success: false, code: 'AUTH_FAILED' } });
    expect(await b.stores.printers.findByName(tenant.branchId, 'Evil')).toBeUndefined();
  });
});
