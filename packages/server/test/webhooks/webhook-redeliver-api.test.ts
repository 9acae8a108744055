import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxRow } from '../../src/store/outbox-rows.js';
import { startTestCore, type TestCore } from '../support/test-core.js';
import { startTestReceiver, type TestReceiver } from './test-receiver.js';

describe('redelivering through the API (/admin/webhooks/:id/redeliver)', () => {
  let t: TestCore;
  let receiver: TestReceiver;
  let companyId: string;
  let branchId: string;
  let owner: string;
  let seq = 5_000;

  beforeAll(async () => {
    t = await startTestCore({ env: { PRINTERMASTER_WEBHOOK_ALLOW_PRIVATE: 'true' } });
    receiver = await startTestReceiver();
    ({ companyId, branchId } = await t.seed());
    owner = `Bearer ${await t.jwt.sign({ sub: 'owner-1', role: 'company_owner', companyId }, '1h')}`;
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  const post = (url: string, payload?: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url, headers: { authorization: owner }, ...(payload ? { payload } : {}) });

  /** A sequenced event of the company, without any delivery. */
  async function event(type: string, subjectId: string): Promise<string> {
    seq += 1;
    const row = await t.database.db
      .insertInto('events')
      .values({ ...outboxRow({ companyId, branchId, type, subjectId, data: { subjectId } }), seq })
      .returning('id')
      .executeTakeFirstOrThrow();
    return `evt_${row.id}`;
  }

  it("refuses an event the endpoint's filter does not match with 400, and sends one it matches", async () => {
    const created = await post('/admin/webhooks', { url: receiver.url, events: ['job.*'] });
    expect(created.statusCode).toBe(201);
    const { id } = created.json().webhook as { id: string };

    const agentEvent = await event('agent.connected', 'device-1');
    const refused = await post(`/admin/webhooks/${id}/redeliver`, { eventId: agentEvent });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({
      code: 'BAD_REQUEST',
      path: '/eventId',
      eventType: 'agent.connected',
      events: ['job.*'],
    });
    expect(refused.json().message).toMatch(/filter/);
    const log = await t.app.inject({
      method: 'GET',
      url: `/admin/webhooks/${id}/deliveries`,
      headers: { authorization: owner },
    });
    expect(log.json().deliveries).toEqual([]);

    const jobEvent = await event('job.completed', 'job-1');
    const accepted = await post(`/admin/webhooks/${id}/redeliver`, { eventId: jobEvent });
    expect(accepted.statusCode).toBe(202);
    await t.core.webhookWorker.runOnce();
    expect(receiver.received.map((r) => JSON.parse(r.rawBody).id)).toEqual([jobEvent]);
  });

  it('refuses a delivery whose event the filter no longer matches after the filter changed', async () => {
    const created = await post('/admin/webhooks', { url: receiver.url, events: ['job.*'] });
    const { id } = created.json().webhook as { id: string };
    const jobEvent = await event('job.failed', 'job-2');
    const first = await post(`/admin/webhooks/${id}/redeliver`, { eventId: jobEvent });
    expect(first.statusCode).toBe(202);
    const changed = await t.app.inject({
      method: 'PATCH',
      url: `/admin/webhooks/${id}`,
      headers: { authorization: owner },
      payload: { events: ['job.completed'] },
    });
    expect(changed.statusCode).toBe(200);
    const again = await post(`/admin/webhooks/${id}/deliveries/${first.json().deliveryId}/redeliver`);
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: 'BAD_REQUEST', eventType: 'job.failed', events: ['job.completed'] });
  });
});
