import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpProxy } from '../support/tcp-proxy.js';
import { createTestSchema, postgresAvailable } from '../support/test-database.js';
import { startGatewayPair, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { redisAvailable, TEST_REDIS_URL } from '../support/test-redis.js';

const ready = (await postgresAvailable()) && (await redisAvailable());
const PER_BRANCH = 4;
const PER_CREDENTIAL = 6;

type Tenant = Awaited<ReturnType<TestGateway['seedTenant']>>;

describe.runIf(ready)('write rate limits shared by two gateway processes through Redis', () => {
  let a: TestGateway;
  let b: TestGateway;
  let drop: () => Promise<void>;
  const prefix = `test:${randomUUID()}:`;

  beforeAll(async () => {
    const created = await createTestSchema();
    drop = created.drop;
    const env = {
      REDIS_URL: TEST_REDIS_URL,
      PRINTERMASTER_REDIS_PREFIX: prefix,
      PRINTERMASTER_WRITE_RATE_PER_BRANCH: String(PER_BRANCH),
      PRINTERMASTER_WRITE_RATE_PER_CREDENTIAL: String(PER_CREDENTIAL),
    };
    [a, b] = await startGatewayPair(created.schema, env);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  const submit = async (gw: TestGateway, token: string, printerId: string) => {
    const res = await fetch(`${gw.url}/printing/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ printerId, content: Buffer.from('\x1b@hello\n').toString('base64') }),
    });
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body: (await res.json()) as Record<string, unknown>,
    };
  };
  const printerIn = async (t: Tenant, branchId = t.branchId) =>
    (
      await a.stores.printers.insert({
        id: randomUUID(),
        companyId: t.companyId,
        branchId,
        name: `P-${branchId}`,
        type: 'thermal',
        connection: 'network',
      })
    ).id;

  it('counts a branch’s writes on both processes against one limit, and no other branch’s', async () => {
    const busy = await a.seedTenant('Busy');
    const other = await a.seedTenant('Other');
    const busyPrinter = await printerIn(busy);
    const otherPrinter = await printerIn(other);
    const busyCashier = await a.token('cashier', { companyId: busy.companyId, branchId: busy.branchId });
    const otherCashier = await a.token('cashier', { companyId: other.companyId, branchId: other.branchId });
    for (let i = 0; i < PER_BRANCH; i++)
      expect((await submit(i % 2 ? b : a, busyCashier, busyPrinter)).status).toBe(202);
    for (const gw of [a, b]) {
      const refused = await submit(gw, busyCashier, busyPrinter);
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ success: false, code: 'RATE_LIMIT_EXCEEDED', scope: 'branch' });
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(refused.retryAfter).toBe(String(refused.body.resetIn));
    }
    expect((await a.stores.jobs.list({ branchId: busy.branchId, limit: 100 })).length).toBe(PER_BRANCH);
    for (const gw of [b, a]) expect((await submit(gw, otherCashier, otherPrinter)).status).toBe(202);
  });

  it('counts a credential’s writes on both processes against one limit', async () => {
    const chain = await a.seedTenant('Chain');
    const second = await a.tenants.createBranch(chain.companyId, 'Branch 2', 'test');
    const printers = [await printerIn(chain), await printerIn(chain, second.id)];
    const owner = await a.token('company_owner', { companyId: chain.companyId });
    for (let i = 0; i < PER_CREDENTIAL; i++) {
      expect((await submit(i % 2 ? b : a, owner, printers[i % 2] as string)).status).toBe(202);
    }
    const refused = await submit(b, owner, printers[0] as string);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', scope: 'credential' });
  });
});

describe.runIf(await redisAvailable())('write rate limits while Redis is unreachable', () => {
  let gw: TestGateway;
  let proxy: TcpProxy;
  const prefix = `test:${randomUUID()}:`;

  beforeAll(async () => {
    const url = new URL(TEST_REDIS_URL);
    proxy = new TcpProxy([{ host: url.hostname, port: Number(url.port || 6379) }]);
    await proxy.start();
    url.host = `127.0.0.1:${proxy.port}`;
    gw = await startTestGateway({
      env: {
        REDIS_URL: url.toString(),
        PRINTERMASTER_REDIS_PREFIX: prefix,
        PRINTERMASTER_WRITE_RATE_PER_BRANCH: String(PER_BRANCH),
      },
    });
  });
  afterAll(async () => {
    proxy?.restore();
    await gw?.close();
    await proxy?.close();
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('keeps taking jobs, counted by this process alone', async () => {
    const t = await gw.seedTenant();
    const printerId = (
      await gw.stores.printers.insert({
        id: randomUUID(),
        companyId: t.companyId,
        branchId: t.branchId,
        name: 'Kitchen',
        type: 'thermal',
        connection: 'network',
      })
    ).id;
    const cashier = await gw.token('cashier', { companyId: t.companyId, branchId: t.branchId });
    proxy.cut();
    const submit = async () => {
      const res = await fetch(`${gw.url}/printing/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${cashier}`, 'content-type': 'application/json' },
        body: JSON.stringify({ printerId, content: Buffer.from('\x1b@hello\n').toString('base64') }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    for (let i = 0; i < PER_BRANCH; i++) expect((await submit()).status).toBe(202);
    expect(await submit()).toMatchObject({ status: 429, body: { code: 'RATE_LIMIT_EXCEEDED', scope: 'branch' } });
  });
});
