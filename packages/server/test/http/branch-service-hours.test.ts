import { WEEKDAYS } from '@printermaster/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

/** Service hours (docs/operations.md#service-hours) on PostgreSQL with row-level security, as production runs. */
describe('branch service hours: the API and the in-service gauge', () => {
  let t: TestGateway;
  let tenant: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let closedBranch: string;
  let owner: string;

  const call = async (method: string, path: string, auth: string, body?: unknown) => {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${auth}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { code?: string } };
  };
  const gauge = async (branchId: string) => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`printermaster_branch_in_service_hours{branch="${branchId}"}`));
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  };
  const everyDay = Object.fromEntries(WEEKDAYS.map((d) => [d, [{ from: '00:00', to: '00:00' }]]));

  beforeAll(async () => {
    t = await startTestGateway({ store: 'postgres', rowLevelSecurity: true });
    tenant = await t.seedTenant('Hours');
    owner = await t.token('company_owner', { companyId: tenant.companyId });
    const other = await call('POST', '/admin/branches', owner, { name: 'Closed on paper' });
    closedBranch = (other.body.branch as { id: string }).id;
  });
  afterAll(() => t?.close());

  it('stores a branch’s hours, shows them, and reports it in service inside them and out of service outside', async () => {
    const open = { timeZone: 'Europe/Berlin', days: everyDay };
    const set = await call('PATCH', `/admin/branches/${tenant.branchId}`, owner, { serviceHours: open });
    expect(set.status).toBe(200);
    expect((set.body.branch as { serviceHours: unknown }).serviceHours).toEqual(open);
    // A week without any day: never in service.
    const closed = { timeZone: 'America/New_York', days: {} };
    expect((await call('PATCH', `/admin/branches/${closedBranch}`, owner, { serviceHours: closed })).status).toBe(200);
    const read = await call('GET', `/admin/branches/${tenant.branchId}`, owner);
    expect((read.body.branch as { serviceHours: unknown }).serviceHours).toEqual(open);
    expect(await gauge(tenant.branchId)).toBe(1);
    expect(await gauge(closedBranch)).toBe(0);
  });

  it('clears them with null: the branch leaves the gauge and counts as always in service', async () => {
    const cleared = await call('PATCH', `/admin/branches/${closedBranch}`, owner, { serviceHours: null });
    expect(cleared.status).toBe(200);
    expect((cleared.body.branch as { serviceHours: unknown }).serviceHours).toBeNull();
    expect(await gauge(closedBranch)).toBeUndefined();
  });

  it('refuses an unknown time zone, a time that is not HH:MM and an unknown day with 400, and other roles with 403', async () => {
    const path = `/admin/branches/${tenant.branchId}`;
    const zone = await call('PATCH', path, owner, { serviceHours: { timeZone: 'Mars/Olympus', days: {} } });
    expect([zone.status, zone.body.code]).toEqual([400, 'BAD_REQUEST']);
    expect(zone.body.message).toContain('Mars/Olympus');
    const time = await call('PATCH', path, owner, {
      serviceHours: { timeZone: 'UTC', days: { mon: [{ from: '25:00', to: '02:00' }] } },
    });
    expect([time.status, time.body.code]).toEqual([400, 'BAD_REQUEST']);
    const day = await call('PATCH', path, owner, { serviceHours: { timeZone: 'UTC', days: { someday: [] } } });
    expect([day.status, day.body.code]).toEqual([400, 'BAD_REQUEST']);
    const manager = await t.token('branch_manager', { companyId: tenant.companyId, branchId: tenant.branchId });
    const refused = await call('PATCH', path, manager, { serviceHours: null });
    expect([refused.status, refused.body.code]).toEqual([403, 'FORBIDDEN']);
    // Nothing of the refused changes was stored.
    const read = await call('GET', path, owner);
    expect((read.body.branch as { serviceHours: { timeZone: string } }).serviceHours.timeZone).toBe('Europe/Berlin');
  });
});
