import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCore, type TestCore } from '../support/test-core.js';

// One core for the file (an in-memory PGlite takes a while to start); each test seeds its own tenant.
let t: TestCore;
beforeAll(async () => {
  t = await startTestCore();
});
afterAll(() => t.close());

const ticket = Buffer.from('\x1b@KITCHEN TICKET\n\x1dV\x00').toString('base64');

async function post(token: string, body: Record<string, unknown>, idempotencyKey?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  return t.app.inject({ method: 'POST', url: '/printing/jobs', headers, payload: body });
}

describe('a print job through the HTTP API and the dispatcher (inject, recorded agent)', () => {
  it('stores the job, delivers its bytes to the branch agent, and records the acknowledgement', async () => {
    const ids = await t.seed();
    const delivered = t.link.nextDelivery();
    const res = await post(ids.token, { printerId: ids.printerId, content: ticket, type: 'kitchen' });
    expect(res.statusCode).toBe(202);
    const job = res.json().job as { id: string; state: string };
    const { delivery, answer } = await delivered;
    expect(delivery.id).toBe(job.id);
    expect(Buffer.from(delivery.content, 'base64').toString('latin1')).toContain('KITCHEN TICKET');
    answer({ jobId: job.id, state: 'accepted' } as never);
    const seen = await t.app.inject({
      method: 'GET',
      url: `/printing/jobs/${job.id}`,
      headers: { authorization: `Bearer ${ids.token}` },
    });
    expect(seen.statusCode).toBe(200);
    expect(seen.json().job.state).toBe('sent');
  });

  it('answers a repeated idempotency key with the same job, delivered once', async () => {
    const ids = await t.seed();
    const delivered = t.link.nextDelivery();
    const first = await post(ids.token, { printerId: ids.printerId, content: ticket }, 'order-42');
    const again = await post(ids.token, { printerId: ids.printerId, content: ticket }, 'order-42');
    expect(again.json().job.id).toBe(first.json().job.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    (await delivered).answer(undefined);
    expect(t.link.deliveries.filter((d) => d.delivery.id === first.json().job.id)).toHaveLength(1);
  });

  it('refuses a job for a printer of another company with 404, and stores nothing', async () => {
    const mine = await t.seed();
    const theirs = await t.seed();
    const before = t.link.deliveries.length;
    const res = await post(mine.token, { printerId: theirs.printerId, content: ticket });
    expect([res.statusCode, res.json().code]).toEqual([404, 'PRINTER_NOT_FOUND']);
    expect(t.link.deliveries.length).toBe(before);
  });

  it('expires a queued job past its useful-until time on the sweep, driven by the clock', async () => {
    const ids = await t.seed();
    t.link.disconnect(ids.branchId);
    const usefulUntil = new Date(t.clock.now() + 60_000).toISOString();
    const res = await post(ids.token, { printerId: ids.printerId, content: ticket, usefulUntil });
    const id = res.json().job.id as string;
    await t.clock.advance(61_000);
    const { expired } = await t.core.jobs.expireDue();
    expect(expired).toBeGreaterThanOrEqual(1);
    const seen = await t.app.inject({
      method: 'GET',
      url: `/printing/jobs/${id}`,
      headers: { authorization: `Bearer ${ids.token}` },
    });
    expect(seen.json().job.state).toBe('expired');
  });
});
