import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxRow } from '../../src/store/outbox-rows.js';
import { startTestCore, type TestCore } from '../support/test-core.js';
import { startTestReceiver, type TestReceiver } from '../webhooks/test-receiver.js';

describe('webhook endpoints API (/admin/webhooks)', () => {
  let t: TestCore;
  let receiver: TestReceiver;
  let companyId: string;
  let branchId: string;
  let otherBranchId: string;
  const auth: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestCore({ env: { PRINTERMASTER_WEBHOOK_ALLOW_PRIVATE: 'true' } });
    receiver = await startTestReceiver();
    ({ companyId, branchId } = await t.seed());
    otherBranchId = (await t.core.tenants.createBranch(companyId, 'Other branch', 'test')).id;
    const other = await t.core.tenants.createCompany('Other company', 'test');
    const sign = async (claims: Parameters<TestCore['jwt']['sign']>[0]) => `Bearer ${await t.jwt.sign(claims, '1h')}`;
    auth.owner = await sign({ sub: 'owner-1', role: 'company_owner', companyId });
    auth.otherOwner = await sign({ sub: 'owner-2', role: 'company_owner', companyId: other.id });
    auth.manager = await sign({ sub: 'manager-1', role: 'branch_manager', companyId, branchId });
    auth.cashier = await sign({ sub: 'cashier-1', role: 'cashier', companyId, branchId });
    auth.admin = await sign({ sub: 'admin-1', role: 'super_admin' });
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, who?: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: who ? { authorization: auth[who] as string } : {},
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  const create = async (body: Record<string, unknown> = {}, who = 'owner') => {
    const res = await call('POST', '/admin/webhooks', who, { url: receiver.url, events: ['job.*'], ...body });
    expect(res.statusCode).toBe(201);
    return res.json() as { webhook: { id: string; previousSecretUntil: string | null }; secret: string };
  };

  it('registers an endpoint, shows its secret once, and audits it', async () => {
    const res = await call('POST', '/admin/webhooks', 'owner', {
      url: receiver.url,
      events: ['job.completed', 'job.failed', 'agent.*'],
      description: 'POS backend',
    });
    expect(res.statusCode).toBe(201);
    const { webhook, secret } = res.json();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(webhook).toMatchObject({ companyId, branchId: null, url: receiver.url, status: 'active' });
    expect(webhook.secret).toBeUndefined();
    const got = await call('GET', `/admin/webhooks/${webhook.id}`, 'owner');
    expect(got.statusCode).toBe(200);
    expect(JSON.stringify(got.json())).not.toContain(secret);
    const audit = await t.database.db.selectFrom('auditLog').selectAll().where('targetId', '=', webhook.id).execute();
    expect(audit.map((a) => [a.action, a.actor])).toEqual([['webhook.created', 'user:owner-1']]);
  });

  it.each([
    ['no url', { events: ['job.*'] }, 'BAD_REQUEST'],
    ['no events', { url: 'http://127.0.0.1/x', events: [] }, 'BAD_REQUEST'],
    ['an unknown event type', { url: 'http://127.0.0.1/x', events: ['job.*', 'job.exploded'] }, 'BAD_REQUEST'],
    ['an unknown field', { url: 'http://127.0.0.1/x', events: ['*'], secret: 'mine' }, 'BAD_REQUEST'],
    ['an ftp URL', { url: 'ftp://127.0.0.1/x', events: ['*'] }, 'WEBHOOK_URL_REFUSED'],
    ['credentials in the URL', { url: 'http://u:p@127.0.0.1/x', events: ['*'] }, 'WEBHOOK_URL_REFUSED'],
    ['a relative URL', { url: '/x', events: ['*'] }, 'WEBHOOK_URL_REFUSED'],
    ['a branch of another company', { url: 'http://127.0.0.1/x', events: ['*'], branchId: 'nope' }, 'BRANCH_NOT_FOUND'],
  ])('refuses a registration with %s', async (_what, body, code) => {
    const res = await call('POST', '/admin/webhooks', 'owner', body);
    expect(res.json().code).toBe(code);
    expect(res.statusCode).toBe(code === 'BRANCH_NOT_FOUND' ? 404 : 400);
  });

  it('names the unknown event type and where it is', async () => {
    const res = await call('POST', '/admin/webhooks', 'owner', {
      url: receiver.url,
      events: ['job.*', 'job.exploded'],
    });
    expect(res.json()).toMatchObject({ code: 'BAD_REQUEST', path: '/events/1' });
  });

  it('confines each role: owners to their company, managers to reading their branch, cashiers to nothing', async () => {
    const companyWide = (await create()).webhook.id;
    const ofBranch = (await create({ branchId })).webhook.id;
    const ofOtherBranch = (await create({ branchId: otherBranchId })).webhook.id;
    expect((await call('GET', '/admin/webhooks', undefined)).statusCode).toBe(401);
    expect((await call('GET', '/admin/webhooks', 'cashier')).json().code).toBe('FORBIDDEN');
    expect((await call('POST', '/admin/webhooks', 'cashier', { url: receiver.url, events: ['*'] })).statusCode).toBe(
      403,
    );
    const managerList = (await call('GET', '/admin/webhooks', 'manager'))
      .json()
      .webhooks.map((w: { id: string }) => w.id);
    expect(managerList).toContain(ofBranch);
    expect(managerList).not.toContain(companyWide);
    expect(managerList).not.toContain(ofOtherBranch);
    expect((await call('GET', `/admin/webhooks/${ofOtherBranch}`, 'manager')).statusCode).toBe(404);
    expect((await call('GET', `/admin/webhooks/${ofBranch}/deliveries`, 'manager')).statusCode).toBe(200);
    expect((await call('PATCH', `/admin/webhooks/${ofBranch}`, 'manager', { events: ['*'] })).statusCode).toBe(403);
    expect((await call('POST', '/admin/webhooks', 'manager', { url: receiver.url, events: ['*'] })).statusCode).toBe(
      403,
    );
    const stranger = await call('GET', `/admin/webhooks/${companyWide}`, 'otherOwner');
    expect(stranger.statusCode).toBe(404);
    expect(stranger.json().code).toBe('WEBHOOK_NOT_FOUND');
    expect((await call('DELETE', `/admin/webhooks/${companyWide}`, 'otherOwner')).statusCode).toBe(404);
    const foreign = await call('POST', '/admin/webhooks', 'otherOwner', {
      url: receiver.url,
      events: ['*'],
      companyId,
    });
    expect(foreign.json().code).toBe('FORBIDDEN');
    expect((await call('GET', `/admin/webhooks?companyId=${companyId}`, 'otherOwner')).statusCode).toBe(403);
  });

  it('lets a super admin act for any company, naming it', async () => {
    expect((await call('POST', '/admin/webhooks', 'admin', { url: receiver.url, events: ['*'] })).json().code).toBe(
      'BAD_REQUEST',
    );
    const made = await create({ companyId }, 'admin');
    expect((await call('GET', `/admin/webhooks?companyId=${companyId}`, 'admin')).json().webhooks).toContainEqual(
      expect.objectContaining({ id: made.webhook.id }),
    );
    const missing = await call('POST', '/admin/webhooks', 'admin', {
      url: receiver.url,
      events: ['*'],
      companyId: 'no-such',
    });
    expect(missing.json().code).toBe('COMPANY_NOT_FOUND');
  });

  it('updates, disables, enables and deletes an endpoint, auditing each change', async () => {
    const { webhook } = await create();
    const patched = await call('PATCH', `/admin/webhooks/${webhook.id}`, 'owner', { events: ['*'], description: null });
    expect(patched.json().webhook).toMatchObject({ events: ['*'], description: null });
    expect((await call('PATCH', `/admin/webhooks/${webhook.id}`, 'owner', {})).statusCode).toBe(400);
    expect(
      (await call('PATCH', `/admin/webhooks/${webhook.id}`, 'owner', { url: 'gopher://127.0.0.1/' })).json().code,
    ).toBe('WEBHOOK_URL_REFUSED');
    expect((await call('POST', `/admin/webhooks/${webhook.id}/disable`, 'owner')).json().webhook.status).toBe(
      'disabled',
    );
    expect((await call('POST', `/admin/webhooks/${webhook.id}/enable`, 'owner')).json().webhook.status).toBe('active');
    expect((await call('DELETE', `/admin/webhooks/${webhook.id}`, 'owner')).statusCode).toBe(200);
    expect((await call('GET', `/admin/webhooks/${webhook.id}`, 'owner')).statusCode).toBe(404);
    const actions = await t.database.db
      .selectFrom('auditLog')
      .select('action')
      .where('targetId', '=', webhook.id)
      .orderBy('id')
      .execute();
    expect(actions.map((a) => a.action)).toEqual([
      'webhook.created',
      'webhook.updated',
      'webhook.disabled',
      'webhook.enabled',
      'webhook.deleted',
    ]);
  });

  it('rotates the secret: shown once, the previous one signing for the overlap asked', async () => {
    const { webhook, secret } = await create();
    const res = await call('POST', `/admin/webhooks/${webhook.id}/rotate-secret`, 'owner', { overlapSeconds: 3600 });
    expect(res.statusCode).toBe(200);
    const rotated = res.json();
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(secret);
    expect(Date.parse(rotated.webhook.previousSecretUntil)).toBe(t.clock.now() + 3_600_000);
    const byDefault = (await call('POST', `/admin/webhooks/${webhook.id}/rotate-secret`, 'owner')).json();
    expect(Date.parse(byDefault.webhook.previousSecretUntil)).toBe(t.clock.now() + 24 * 3_600_000);
    for (const overlapSeconds of [-1, 8 * 86_400, 1.5]) {
      const bad = await call('POST', `/admin/webhooks/${webhook.id}/rotate-secret`, 'owner', { overlapSeconds });
      expect(bad.statusCode).toBe(400);
    }
  });

  it('pings the endpoint and answers with the outcome, signed with the secret', async () => {
    const { webhook, secret } = await create();
    const before = receiver.received.length;
    const res = await call('POST', `/admin/webhooks/${webhook.id}/ping`, 'owner');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      success: true,
      delivered: true,
      statusCode: 200,
      error: null,
      responseSnippet: 'ok',
    });
    const req = receiver.received[before];
    expect(JSON.parse(req?.rawBody ?? '')).toMatchObject({
      type: 'webhook.ping',
      companyId,
      data: { endpointId: webhook.id },
    });
    const header = String(req?.headers['printermaster-signature']);
    const t0 = /t=(\d+)/.exec(header)?.[1];
    const expected = createHmac('sha256', secret).update(`${t0}.${req?.rawBody}`).digest('hex');
    expect(header).toContain(`v1=${expected}`);
  });

  it('keeps a delivery log per endpoint, paginated, and redelivers by delivery or by event', async () => {
    const { webhook } = await create();
    const eventIds: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const event = await t.database.db
        .insertInto('events')
        .values({
          ...outboxRow({ companyId, branchId, type: 'job.completed', subjectId: `job-${i}`, data: { i } }),
          seq: 1_000 + i,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      eventIds.push(String(event.id));
      if (i < 3) {
        await t.database.db
          .insertInto('webhookDeliveries')
          .values({
            endpointId: webhook.id,
            companyId,
            eventId: event.id,
            seq: String(1_000 + i),
            orderingKey: `job-${i}`,
            nextAttemptAt: new Date(t.clock.now()),
          })
          .execute();
      }
    }
    await t.core.webhookWorker.runOnce();
    const page1 = (await call('GET', `/admin/webhooks/${webhook.id}/deliveries?limit=1`, 'owner')).json();
    expect(page1.deliveries).toHaveLength(1);
    expect(page1.deliveries[0]).toMatchObject({ state: 'delivered', eventType: 'job.completed', subjectId: 'job-2' });
    expect(page1.deliveries[0].attemptLog[0]).toMatchObject({ attempt: 1, statusCode: 200, responseSnippet: 'ok' });
    expect(typeof page1.deliveries[0].attemptLog[0].latencyMs).toBe('number');
    const page2 = (
      await call('GET', `/admin/webhooks/${webhook.id}/deliveries?limit=1&cursor=${page1.nextCursor}`, 'owner')
    ).json();
    expect(page2.deliveries.map((d: { subjectId: string }) => d.subjectId)).toEqual(['job-1']);

    const before = receiver.received.length;
    const again = await call(
      'POST',
      `/admin/webhooks/${webhook.id}/deliveries/${page2.deliveries[0].id}/redeliver`,
      'owner',
    );
    expect(again.statusCode).toBe(202);
    expect(again.json().eventId).toBe(`evt_${eventIds[0]}`);
    const byEvent = await call('POST', `/admin/webhooks/${webhook.id}/redeliver`, 'owner', {
      eventId: `evt_${eventIds[2]}`,
    });
    expect(byEvent.statusCode).toBe(202);
    await t.core.webhookWorker.runOnce();
    const ids = receiver.received.slice(before).map((r) => JSON.parse(r.rawBody).id);
    expect(ids.sort()).toEqual([`evt_${eventIds[0]}`, `evt_${eventIds[2]}`].sort());

    const unknown = await call('POST', `/admin/webhooks/${webhook.id}/deliveries/999999/redeliver`, 'owner');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('WEBHOOK_DELIVERY_NOT_FOUND');
    expect(
      (await call('POST', `/admin/webhooks/${webhook.id}/redeliver`, 'owner', { eventId: 'evt_x' })).statusCode,
    ).toBe(400);
    expect((await call('GET', `/admin/webhooks/${webhook.id}/deliveries?cursor=abc`, 'owner')).statusCode).toBe(400);
    expect((await call('GET', `/admin/webhooks/${webhook.id}/deliveries?limit=0`, 'owner')).statusCode).toBe(400);
    expect((await call('GET', `/admin/webhooks/${webhook.id}/deliveries?state=lost`, 'owner')).statusCode).toBe(400);
  });
});

describe('webhook endpoints API with private targets refused (the default)', () => {
  let t: TestCore;
  let token: string;
  beforeAll(async () => {
    t = await startTestCore();
    ({ token } = await t.seed());
  });
  afterAll(() => t.close());

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://[::1]/',
    'http://169.254.169.254/',
    'http://10.0.0.5/',
  ])('refuses %s with WEBHOOK_URL_REFUSED', async (url) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/webhooks',
      headers: { authorization: `Bearer ${token}` },
      payload: { url, events: ['*'] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'WEBHOOK_URL_REFUSED' });
    expect(res.json().reason).toMatch(/private address/);
  });
});
