import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema } from '../support/test-database.js';
import { startGatewayPair, type TestGateway } from '../support/test-gateway.js';

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
