import { randomUUID } from 'node:crypto';
import type { PrintJobView } from '@printermaster/protocol';
import { Redis } from 'ioredis';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WireAgent } from '../jobs/test-agent.js';
import { connectWeb, eventually, nextEvent } from '../support/socket-clients.js';
import { createTestSchema, postgresAvailable } from '../support/test-database.js';
import { startGatewayPair, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { redisAvailable, TEST_REDIS_URL } from '../support/test-redis.js';

const ready = (await postgresAvailable()) && (await redisAvailable());

describe.runIf(ready)('two gateway processes sharing PostgreSQL and Redis', () => {
  let a: TestGateway;
  let b: TestGateway;
  let drop: () => Promise<void>;
  let tenant: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let token: string;
  const prefix = `test:${randomUUID()}:`;
  const sockets: Socket[] = [];
  let printerOwner: WireAgent;

  beforeAll(async () => {
    const created = await createTestSchema();
    drop = created.drop;
    const env = {
      REDIS_URL: TEST_REDIS_URL,
      PRINTERMASTER_SOCKET_PING_INTERVAL_MS: '200',
      PRINTERMASTER_REDIS_PREFIX: prefix,
    };
    [a, b] = await startGatewayPair(created.schema, env);
    tenant = await a.seedTenant();
    token = await a.token('branch_manager', { companyId: tenant.companyId, branchId: tenant.branchId });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await a?.close();
    await b?.close();
    await drop?.();
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  const api = async (gw: TestGateway, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${gw.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('routes a printer test through the process that holds the agent, and broadcasts across processes', async () => {
    const agent = await WireAgent.connect(b.url, {
      licenseKey: tenant.licenseKey,
      branchId: tenant.branchId,
      deviceId: 'on-b',
    });
    printerOwner = agent;
    sockets.push(agent.socket);
    agent.socket.on('printer:test', (req: { printerId: string; correlationId: string }) => {
      agent.socket.emit('printer:test:ack', { printerId: req.printerId, correlationId: req.correlationId });
      agent.socket.emit('printer:test:result', {
        printerId: req.printerId,
        correlationId: req.correlationId,
        success: true,
        message: 'printed on b',
      });
    });
    const webOnA = await connectWeb(a.url, token);
    sockets.push(webOnA);
    const discovered = nextEvent<{ printer: { id: string } }>(webOnA, 'printerUpdate');
    agent.socket.emit('printer:discovered', { name: 'Kitchen', status: 'online' });
    const printerId = ((await nextEvent(agent.socket, 'printer:discovery:acknowledged')) as { printerId: string })
      .printerId;
    expect((await discovered).printer.id).toBe(printerId);

    const completed = nextEvent<{ correlationId: string; sourceClient: string }>(webOnA, 'printer:test:completed');
    const test = await api(a, 'POST', `/printing/printers/${printerId}/test`);
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({
      success: true,
      outcome: 'printed',
      message: 'printed on b',
      clientsAvailable: 1,
    });
    expect((await completed).correlationId).toBe(test.body.correlationId);
  });

  it('sends a printer test with an address changed through the other process, at once', async () => {
    // Process a has the printer in its printer-test cache since the case above.
    const { body } = await api(a, 'GET', '/printing/printers');
    const printerId = (body.printers as { id: string }[])[0]?.id as string;
    const seen: { ip?: string; port?: number }[] = [];
    const record = (req: { ip?: string; port?: number }) => seen.push(req);
    printerOwner.socket.on('printer:test', record);
    try {
      expect((await api(a, 'POST', `/printing/printers/${printerId}/test`)).status).toBe(200);
      expect((await api(b, 'PATCH', `/printing/printers/${printerId}`, { ip: '10.9.8.7', port: 9101 })).status).toBe(
        200,
      );
      // The change notice crosses processes over Redis; the cache must not serve the old address after it.
      await eventually(
        async () => {
          const before = seen.length;
          expect((await api(a, 'POST', `/printing/printers/${printerId}/test`)).status).toBe(200);
          return seen.length > before && seen.at(-1)?.ip === '10.9.8.7';
        },
        3_000,
        'new address in the test',
      );
      expect(seen.at(-1)?.port).toBe(9101);
    } finally {
      printerOwner.socket.off('printer:test', record);
    }
  });

  it('dispatches a job created on one process to the agent held by the other at once', async () => {
    // The printer was reported by the agent on b, so the job goes to that agent.
    const agent = printerOwner;
    const { body } = await api(a, 'GET', '/printing/printers');
    const printerId = (body.printers as { id: string }[])[0]?.id as string;
    const created = await api(a, 'POST', '/printing/jobs', {
      printerId,
      content: Buffer.from('\x1b@cross\n\x1dV\x00', 'latin1').toString('base64'),
    });
    const id = (created.body.job as PrintJobView).id;
    // Well within the 30 s re-dispatch sweep: the job notice crossed processes.
    await eventually(() => agent.deliveries.some((d) => d.id === id), 3_000, 'delivery on b');
    await eventually(
      async () => ((await api(a, 'GET', `/printing/jobs/${id}`)).body.job as PrintJobView).state === 'accepted',
      3_000,
      'accepted',
    );
  });

  it('shows agents of every process in desktop health, with the history from the owning process', async () => {
    const admin = await a.token('super_admin');
    const get = async (path: string) =>
      (await (await fetch(`${a.url}${path}`, { headers: { authorization: `Bearer ${admin}` } })).json()) as Record<
        string,
        unknown
      >;
    const detail = await eventually(
      async () => {
        const d = await get('/printing/desktop-health/on-b');
        return ((d.metricsHistory as unknown[]) ?? []).length > 0 ? d : undefined;
      },
      5_000,
      'history from b',
    );
    expect(detail).toMatchObject({ deviceId: 'on-b', instanceId: 'gw-b' });
    const registry = await get('/printing/service-registry/status');
    const gateways = (registry.services as { type: string; id: string }[])
      .filter((s) => s.type === 'gateway')
      .map((s) => s.id)
      .sort();
    expect(gateways).toEqual(['gw-a', 'gw-b']);
  });

  it('shares printer-test rate limits between processes', async () => {
    const limited = await startTestGateway({
      store: 'postgres',
      schema: (a.database.description.match(/schema (\w+)/) ?? [])[1],
      env: {
        REDIS_URL: TEST_REDIS_URL,
        PRINTERMASTER_REDIS_PREFIX: prefix,
        PRINTERMASTER_INSTANCE_ID: 'gw-c',
        PRINTERMASTER_TEST_RATE_PER_PRINTER: '5',
      },
    });
    try {
      const { body } = await api(a, 'GET', '/printing/printers');
      const printerId = (body.printers as { id: string }[])[0]?.id as string;
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await api(i % 2 ? a : b, 'POST', `/printing/printers/${printerId}/test`)).status);
      // One test already ran in the first case; the limit is 5 per printer per minute across processes.
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
    } finally {
      await limited.close();
    }
  });
});
