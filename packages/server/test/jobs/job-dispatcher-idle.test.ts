import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCore, type TestCore } from '../support/test-core.js';

// One core for the file (an in-memory PGlite takes a while to start); each test seeds its own tenant.
let t: TestCore;
beforeAll(async () => {
  t = await startTestCore();
});
afterAll(() => t.close());

const ticket = Buffer.from('\x1b@IDLE\n').toString('base64');

async function post(token: string, printerId: string): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/printing/jobs',
    headers: { authorization: `Bearer ${token}` },
    payload: { printerId, content: ticket },
  });
  return res.json().job.id as string;
}

describe('the dispatcher’s idle signal', () => {
  it('resolves while nothing is under way', async () => {
    await t.core.dispatcher.whenIdle();
  });

  it('waits for a delivery’s acknowledgement, although the job is already stored as sent', async () => {
    const ids = await t.seed();
    const delivered = t.link.nextDelivery();
    const id = await post(ids.token, ids.printerId);
    const { answer } = await delivered;
    const order: string[] = [];
    const idle = t.core.dispatcher.whenIdle().then(() => order.push('idle'));
    // Store round trips: the pass that sent the job has long ended by now.
    expect((await t.stores.jobs.find(id))?.state).toBe('sent');
    order.push('answered');
    answer({ ok: true, data: { jobId: id, state: 'accepted' } });
    await idle;
    expect(order).toEqual(['answered', 'idle']);
    expect((await t.stores.jobs.find(id))?.state).toBe('accepted');
  });

  it('covers the dispatch an agent’s connect starts, from the moment it connects', async () => {
    const ids = await t.seed();
    const agent = t.link.findAgent(ids.branchId, ids.deviceId);
    if (!agent) throw new Error('the seeded agent is not connected');
    t.link.disconnect(ids.branchId);
    const id = await post(ids.token, ids.printerId);
    await t.core.dispatcher.whenIdle();
    expect((await t.stores.jobs.find(id))?.state).toBe('queued');
    t.link.connect(agent);
    const delivered = t.link.nextDelivery();
    void t.core.dispatcher.agentConnected(ids.branchId);
    // Nothing is dispatching yet: the connect is still asking whether its branch has jobs waiting.
    const order: string[] = [];
    const idle = t.core.dispatcher.whenIdle().then(() => order.push('idle'));
    const { delivery, answer } = await delivered;
    order.push('delivered');
    answer({ ok: true, data: { jobId: id, state: 'accepted' } });
    await idle;
    expect(delivery.id).toBe(id);
    expect(order).toEqual(['delivered', 'idle']);
  });
});
