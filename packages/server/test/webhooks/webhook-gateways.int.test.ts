import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, postgresAvailable } from '../support/test-database.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { startTestReceiver, type TestReceiver } from './test-receiver.js';

const ready = await postgresAvailable();
const JOBS = 12;

/**
 * Two gateway processes on one PostgreSQL schema, each as a run-time role under row-level
 * security, both running the delivery worker: jobs created and cancelled through both reach one
 * receiver as signed webhooks, each event once, in order per job, and the event feed replays
 * exactly those events.
 */
describe.runIf(ready)('webhooks from two gateway processes on PostgreSQL', () => {
  let a: TestGateway;
  let b: TestGateway;
  let receiver: TestReceiver;
  let dropSchema: () => Promise<void>;
  let owner: string;
  let secret: string;
  let printerId: string;

  beforeAll(async () => {
    const created = await createTestSchema();
    dropSchema = created.drop;
    const env = { PRINTERMASTER_WEBHOOK_ALLOW_PRIVATE: 'true', PRINTERMASTER_WEBHOOK_POLL_INTERVAL_MS: '50' };
    a = await startTestGateway({
      store: 'postgres',
      schema: created.schema,
      rowLevelSecurity: true,
      env: { ...env, PRINTERMASTER_INSTANCE_ID: 'gw-a' },
    });
    b = await startTestGateway({
      store: 'postgres',
      schema: created.schema,
      rowLevelSecurity: true,
      env: { ...env, PRINTERMASTER_INSTANCE_ID: 'gw-b' },
    });
    receiver = await startTestReceiver();
    const { companyId, branchId } = await a.seedTenant('Hooked company');
    owner = await a.token('company_owner', { companyId });
    const hook = await call(a, 'POST', '/admin/webhooks', { url: receiver.url, events: ['job.*'] });
    expect(hook.status).toBe(201);
    secret = hook.body.secret as string;
    const printer = await call(a, 'POST', '/printing/printers', {
      branchId,
      name: 'Kitchen',
      ip: '127.0.0.1',
      port: 9,
    });
    printerId = (printer.body.printer as { id: string }).id;
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await receiver?.close();
    await dropSchema?.();
  });

  async function call(gw: TestGateway, method: string, path: string, body?: unknown) {
    const res = await fetch(`${gw.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${owner}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('delivers every job event once, signed, in order per job, as the feed replays them', async () => {
    const content = Buffer.from('\x1b@hello\n\x1dV\x00', 'latin1').toString('base64');
    const jobIds: string[] = [];
    await Promise.all(
      Array.from({ length: JOBS }, async (_, i) => {
        const gw = i % 2 === 0 ? a : b;
        const created = await call(gw, 'POST', '/printing/jobs', { printerId, content, type: 'kitchen' });
        expect(created.status).toBe(202);
        const jobId = (created.body.job as { id: string }).id;
        jobIds.push(jobId);
        const cancelled = await call(i % 2 === 0 ? b : a, 'POST', `/printing/jobs/${jobId}/cancel`);
        expect(cancelled.status).toBe(200);
      }),
    );
    await receiver.waitFor(2 * JOBS, 20_000);
    const events = receiver.received.map((r) => {
      const header = String(r.headers['printermaster-signature']);
      const t = /t=(\d+)/.exec(header)?.[1];
      const expected = createHmac('sha256', secret).update(`${t}.${r.rawBody}`).digest('hex');
      expect(header).toContain(`v1=${expected}`);
      return JSON.parse(r.rawBody) as { id: string; seq: string; type: string; data: { jobId: string } };
    });
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const jobId of jobIds) {
      expect(events.filter((e) => e.data.jobId === jobId).map((e) => e.type)).toEqual(['job.queued', 'job.cancelled']);
    }
    const feed = await call(a, 'GET', '/printing/events?after=0&limit=1000&types=job.*');
    const fed = (feed.body.events as { id: string }[]).map((e) => e.id);
    expect([...fed].sort()).toEqual([...ids].sort());
  });
});
