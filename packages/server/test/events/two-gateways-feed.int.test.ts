import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/socket-clients.js';
import { createTestSchema, postgresAvailable } from '../support/test-database.js';
import { startGatewayPair, type TestGateway } from '../support/test-gateway.js';

const available = await postgresAvailable();

interface Page {
  events: { id: string; seq: string; type: string; data: Record<string, unknown> }[];
  nextCursor: string;
}

/** Two gateway processes on one PostgreSQL schema, each with its own sequencer. */
describe.skipIf(!available)('event feed across two gateway processes (postgres)', () => {
  let a: TestGateway;
  let b: TestGateway;
  let drop: () => Promise<void>;
  let owner: string;
  let cashier: string;
  let printerId: string;

  beforeAll(async () => {
    const schema = await createTestSchema();
    drop = schema.drop;
    [a, b] = await startGatewayPair(schema.schema, { PRINTERMASTER_EVENT_FEED_POLL_MS: '100' });
    const tenant = await a.seedTenant();
    owner = await a.token('company_owner', { companyId: tenant.companyId });
    cashier = await a.token('cashier', { companyId: tenant.companyId, branchId: tenant.branchId });
    const res = await fetch(`${a.url}/printing/printers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
      body: JSON.stringify({ branchId: tenant.branchId, name: 'Bar', ip: '127.0.0.1', port: 9100 }),
    });
    printerId = ((await res.json()) as { printer: { id: string } }).printer.id;
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
  });

  const feed = async (gw: TestGateway, query: string): Promise<Page> => {
    const res = await fetch(`${gw.url}/printing/events${query}`, { headers: { authorization: `Bearer ${owner}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as Page;
  };
  const newJob = async (gw: TestGateway) => {
    const res = await fetch(`${gw.url}/printing/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cashier}`, 'content-type': 'application/json' },
      body: JSON.stringify({ printerId, content: Buffer.from('\x1b@x\n', 'latin1').toString('base64') }),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { job: { id: string } }).job.id;
  };

  it('wakes a long-poll on one process for a job created on the other, and both replay the same events', async () => {
    const start = (await feed(b, '?after=0&limit=1000')).nextCursor;
    const waiting = feed(b, `?after=${start}&types=job.queued&wait=30`);
    const jobId = await newJob(a);
    expect((await waiting).events.map((e) => e.data.jobId)).toEqual([jobId]);
    // Jobs from both processes, then the same page from each.
    const more = [await newJob(b), await newJob(a), await newJob(b)];
    const fromA = await eventually(async () => {
      const page = await feed(a, `?after=${start}&types=job.queued`);
      return page.events.length === 4 ? page : undefined;
    }, 10_000);
    expect(fromA.events.map((e) => e.data.jobId)).toEqual(expect.arrayContaining([jobId, ...more]));
    expect(await feed(b, `?after=${start}&types=job.queued`)).toEqual(fromA);
  });
});
