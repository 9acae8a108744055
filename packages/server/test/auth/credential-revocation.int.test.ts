import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema } from '../support/test-database.js';
import { startGatewayPair, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/** Two gateway processes' worth of gateways on one PostgreSQL schema, each with its own connections. */
describe('revocation across gateway processes (PostgreSQL)', () => {
  let a: TestGateway;
  let b: TestGateway;
  let drop: () => Promise<void>;
  let tenant: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let owner: string;

  beforeAll(async () => {
    const schema = await createTestSchema();
    drop = schema.drop;
    [a, b] = await startGatewayPair(schema.schema, {});
    tenant = await a.seedTenant('Two processes');
    owner = await a.token('company_owner', { companyId: tenant.companyId });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await drop?.();
  });

  const call = (gw: TestGateway, method: string, path: string, headers: Record<string, string>, body?: unknown) =>
    fetch(`${gw.url}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('refuses an API key on the other process once it is revoked on one', async () => {
    const created = await call(
      a,
      'POST',
      '/admin/api-keys',
      { authorization: `Bearer ${owner}` },
      {
        name: 'POS',
        role: 'company_owner',
      },
    );
    const { key, apiKey } = (await created.json()) as { key: string; apiKey: { id: string } };
    // B verifies it and keeps it in memory.
    expect((await call(b, 'GET', '/printing/printers', { 'x-api-key': key })).status).toBe(200);
    expect((await call(b, 'GET', '/printing/printers', { 'x-api-key': key })).status).toBe(200);

    const revoked = await call(a, 'POST', `/admin/api-keys/${apiKey.id}/revoke`, { authorization: `Bearer ${owner}` });
    expect(revoked.status).toBe(200);
    await expect
      .poll(async () => (await call(b, 'GET', '/printing/printers', { 'x-api-key': key })).status, {
        timeout: 10_000,
        interval: 20,
      })
      .toBe(401);
  });

  it('refuses a session’s access token on the other process once it logs out on one', async () => {
    const started = await call(
      a,
      'POST',
      '/auth/sessions',
      { authorization: `Bearer ${owner}` },
      {
        sub: 'alice',
        role: 'company_owner',
        companyId: tenant.companyId,
      },
    );
    expect(started.status).toBe(201);
    const { accessToken } = (await started.json()) as { accessToken: string };
    expect((await call(b, 'GET', '/printing/printers', { authorization: `Bearer ${accessToken}` })).status).toBe(200);

    expect((await call(a, 'POST', '/auth/logout', { authorization: `Bearer ${accessToken}` })).status).toBe(200);
    await expect
      .poll(
        async () => (await call(b, 'GET', '/printing/printers', { authorization: `Bearer ${accessToken}` })).status,
        { timeout: 10_000, interval: 20 },
      )
      .toBe(401);
  });
});

describe('API keys and sessions under row-level security (PostgreSQL, run-time role)', () => {
  let gw: TestGateway;
  let tenant: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let other: Awaited<ReturnType<TestGateway['seedTenant']>>;

  beforeAll(async () => {
    gw = await startTestGateway({ store: 'postgres', rowLevelSecurity: true });
    tenant = await gw.seedTenant('RLS tenant');
    other = await gw.seedTenant('RLS other');
  });
  afterAll(() => gw?.close());

  const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
    fetch(`${gw.url}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('creates, uses, lists and revokes keys, and runs a session from sign-in to logout', async () => {
    const owner = { authorization: `Bearer ${await gw.token('company_owner', { companyId: tenant.companyId })}` };
    const otherOwner = { authorization: `Bearer ${await gw.token('company_owner', { companyId: other.companyId })}` };
    const created = await call('POST', '/admin/api-keys', owner, {
      name: 'POS',
      role: 'cashier',
      branchId: tenant.branchId,
    });
    expect(created.status).toBe(201);
    const { key, apiKey } = (await created.json()) as { key: string; apiKey: { id: string } };
    expect((await call('GET', '/printing/printers', { 'x-api-key': key })).status).toBe(200);
    const listed = (await (await call('GET', '/admin/api-keys', owner)).json()) as { apiKeys: { id: string }[] };
    expect(listed.apiKeys.map((k) => k.id)).toEqual([apiKey.id]);
    expect(
      ((await (await call('GET', '/admin/api-keys', otherOwner)).json()) as { apiKeys: unknown[] }).apiKeys,
    ).toEqual([]);
    expect((await call('POST', `/admin/api-keys/${apiKey.id}/revoke`, otherOwner)).status).toBe(404);
    expect((await call('POST', `/admin/api-keys/${apiKey.id}/revoke`, owner)).status).toBe(200);
    expect((await call('GET', '/printing/printers', { 'x-api-key': key })).status).toBe(401);

    const started = await call('POST', '/auth/sessions', owner, {
      sub: 'bob',
      role: 'cashier',
      companyId: tenant.companyId,
      branchId: tenant.branchId,
    });
    expect(started.status).toBe(201);
    const first = (await started.json()) as { refreshToken: string };
    const refreshed = await call('POST', '/auth/refresh', {}, { refreshToken: first.refreshToken });
    expect(refreshed.status).toBe(200);
    const second = (await refreshed.json()) as { accessToken: string };
    expect((await call('POST', '/auth/logout', { authorization: `Bearer ${second.accessToken}` })).status).toBe(200);
    expect((await call('GET', '/printing/printers', { authorization: `Bearer ${second.accessToken}` })).status).toBe(
      401,
    );
  });
});
