import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

interface ApiKeyBody {
  id: string;
  prefix: string;
  role: string;
  status: string;
  companyId: string | null;
  branchId: string | null;
  lastUsedAt: string | null;
}

describe('API keys (embedded store, real HTTP)', () => {
  let gw: TestGateway;
  let acme: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let globex: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let admin: string;
  let owner: string;
  let manager: string;
  let cashier: string;

  beforeAll(async () => {
    gw = await startTestGateway();
    acme = await gw.seedTenant('Acme');
    globex = await gw.seedTenant('Globex');
    admin = await gw.token('super_admin');
    owner = await gw.token('company_owner', { companyId: acme.companyId });
    manager = await gw.token('branch_manager', { companyId: acme.companyId, branchId: acme.branchId });
    cashier = await gw.token('cashier', { companyId: acme.companyId, branchId: acme.branchId });
  });
  afterAll(() => gw.close());

  const call = (method: string, path: string, auth?: Record<string, string> | string, body?: unknown) =>
    fetch(`${gw.url}${path}`, {
      method,
      headers: {
        ...(typeof auth === 'string' ? { authorization: `Bearer ${auth}` } : (auth ?? {})),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const create = async (token: string, body: Record<string, unknown>) => {
    const res = await call('POST', '/admin/api-keys', token, body);
    return { status: res.status, json: (await res.json()) as { key: string; apiKey: ApiKeyBody; code?: string } };
  };
  const codeOf = async (res: Response) => ((await res.json()) as { code: string }).code;

  it('creates a key shown once, with a visible prefix, that works as Bearer and as X-API-Key', async () => {
    const { status, json } = await create(owner, {
      name: 'POS server',
      role: 'branch_manager',
      branchId: acme.branchId,
    });
    expect(status).toBe(201);
    expect(json.key).toMatch(/^pm_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(json.key.startsWith(`${json.apiKey.prefix}_`)).toBe(true);
    expect(json.apiKey).toMatchObject({ role: 'branch_manager', companyId: acme.companyId, branchId: acme.branchId });
    expect(JSON.stringify(json.apiKey)).not.toMatch(/hash/i);

    const bearer = await call('GET', '/printing/printers', json.key);
    expect(bearer.status).toBe(200);
    const header = await call('GET', '/printing/printers', { 'x-api-key': json.key });
    expect(header.status).toBe(200);
    // Another company's printers stay out of its reach.
    expect(await codeOf(await call('GET', `/printing/printers?companyId=${globex.companyId}`, json.key))).toBe(
      'FORBIDDEN',
    );

    const listed = (await (await call('GET', '/admin/api-keys', owner)).json()) as { apiKeys: ApiKeyBody[] };
    expect(listed.apiKeys.map((k) => k.id)).toContain(json.apiKey.id);
    expect(JSON.stringify(listed)).not.toContain(json.key);
    expect(JSON.stringify(listed)).not.toMatch(/keyHash|key_hash/);
  });

  it('prints with a cashier key, and records what the key did as apikey:<id>', async () => {
    const printer = (await (
      await call('POST', '/printing/printers', manager, { branchId: acme.branchId, name: `P-${Date.now()}` })
    ).json()) as { printer: { id: string } };
    const { json } = await create(manager, { name: 'Till 1', role: 'cashier' });
    expect(json.apiKey.branchId).toBe(acme.branchId);
    const job = await call(
      'POST',
      '/printing/jobs',
      { 'x-api-key': json.key },
      {
        printerId: printer.printer.id,
        content: Buffer.from('\x1b@hello\n\x1dV\x00', 'latin1').toString('base64'),
      },
    );
    expect(job.status).toBe(202);
    const { job: created } = (await job.json()) as { job: { id: string } };
    const read = (await (await call('GET', `/printing/jobs/${created.id}`, { 'x-api-key': json.key })).json()) as {
      job: { events?: { actor: string }[] };
    };
    expect(JSON.stringify(read.job)).toContain(`apikey:${json.apiKey.id}`);
  });

  it('refuses a revoked key at once, and keeps it listed as revoked on request', async () => {
    const { json } = await create(owner, { name: 'Soon gone', role: 'company_owner' });
    expect((await call('GET', '/printing/printers', json.key)).status).toBe(200);
    const revoked = await call('POST', `/admin/api-keys/${json.apiKey.id}/revoke`, owner);
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as { apiKey: ApiKeyBody }).apiKey.status).toBe('revoked');
    const refused = await call('GET', '/printing/printers', json.key);
    expect(refused.status).toBe(401);
    expect(await codeOf(refused)).toBe('AUTH_FAILED');

    const active = (await (await call('GET', '/admin/api-keys', owner)).json()) as { apiKeys: ApiKeyBody[] };
    expect(active.apiKeys.map((k) => k.id)).not.toContain(json.apiKey.id);
    const all = (await (await call('GET', '/admin/api-keys?includeRevoked=true', owner)).json()) as {
      apiKeys: ApiKeyBody[];
    };
    expect(all.apiKeys.find((k) => k.id === json.apiKey.id)?.status).toBe('revoked');
    // DELETE is the same revocation, and revoking again changes nothing.
    expect((await call('DELETE', `/admin/api-keys/${json.apiKey.id}`, owner)).status).toBe(200);

    const audit = await gw.database.db
      .selectFrom('auditLog')
      .select(['action', 'actor'])
      .where('targetId', '=', json.apiKey.id)
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['api_key.created', 'api_key.revoked']);
    expect(audit.every((a) => a.actor === 'user:company_owner-user')).toBe(true);
  });

  it('refuses the keys of a deactivated branch or company, and takes them back when it is activated', async () => {
    const tenant = await gw.seedTenant('Soon closed');
    const ownerThere = await gw.token('company_owner', { companyId: tenant.companyId });
    const branchKey = (await create(ownerThere, { name: 'Till', role: 'cashier', branchId: tenant.branchId })).json.key;
    const companyKey = (await create(ownerThere, { name: 'Back office', role: 'company_owner' })).json.key;
    // Both verified, and so held in memory, before the deactivations.
    expect((await call('GET', '/printing/printers', branchKey)).status).toBe(200);
    expect((await call('GET', '/printing/printers', companyKey)).status).toBe(200);

    expect((await call('POST', `/admin/branches/${tenant.branchId}/deactivate`, admin)).status).toBe(200);
    const refused = await call('GET', '/printing/printers', branchKey);
    expect(refused.status).toBe(403);
    expect(await codeOf(refused)).toBe('BRANCH_INACTIVE');
    expect((await call('GET', '/printing/printers', companyKey)).status).toBe(200);

    expect((await call('POST', `/admin/companies/${tenant.companyId}/deactivate`, admin)).status).toBe(200);
    const companyRefused = await call('GET', '/printing/printers', companyKey);
    expect(companyRefused.status).toBe(403);
    expect(await codeOf(companyRefused)).toBe('BRANCH_INACTIVE');

    expect((await call('POST', `/admin/companies/${tenant.companyId}/activate`, admin)).status).toBe(200);
    expect((await call('POST', `/admin/branches/${tenant.branchId}/activate`, admin)).status).toBe(200);
    expect((await call('GET', '/printing/printers', branchKey)).status).toBe(200);
    expect((await call('GET', '/printing/printers', companyKey)).status).toBe(200);
  });

  it('refuses an expired key, and records the last use of a valid one', async () => {
    const soon = new Date(Date.now() + 1_500).toISOString();
    const { json } = await create(owner, { name: 'Short', role: 'company_owner', expiresAt: soon });
    expect((await call('GET', '/printing/printers', json.key)).status).toBe(200);
    await expect
      .poll(async () => (await call('GET', '/printing/printers', json.key)).status, { timeout: 10_000, interval: 200 })
      .toBe(401);
    const read = (await (await call('GET', `/admin/api-keys/${json.apiKey.id}`, owner)).json()) as {
      apiKey: ApiKeyBody;
    };
    expect(read.apiKey.status).toBe('expired');
    expect(read.apiKey.lastUsedAt).not.toBeNull();
  });

  it('lets a caller hand out keys only within its scope and up to its own role', async () => {
    expect((await create(manager, { name: 'x', role: 'company_owner' })).json.code).toBe('FORBIDDEN');
    expect((await create(owner, { name: 'x', role: 'super_admin' })).json.code).toBe('FORBIDDEN');
    expect((await create(cashier, { name: 'x', role: 'cashier' })).json.code).toBe('FORBIDDEN');
    expect((await create(owner, { name: 'x', role: 'company_owner', companyId: globex.companyId })).json.code).toBe(
      'FORBIDDEN',
    );
    expect((await create(owner, { name: 'x', role: 'cashier', branchId: globex.branchId })).json.code).toBe(
      'BRANCH_NOT_FOUND',
    );
    const platform = await create(admin, { name: 'Platform', role: 'super_admin' });
    expect(platform.status).toBe(201);
    expect(platform.json.apiKey.companyId).toBeNull();
    // A key may hand out keys like its role may.
    const fromKey = await create(platform.json.key, {
      name: 'By key',
      role: 'company_owner',
      companyId: globex.companyId,
    });
    expect(fromKey.status).toBe(201);
    // A platform naming only the branch gets a key of that branch's company.
    const byBranch = await create(admin, { name: 'Till', role: 'cashier', branchId: globex.branchId });
    expect(byBranch.status).toBe(201);
    expect(byBranch.json.apiKey).toMatchObject({ companyId: globex.companyId, branchId: globex.branchId });
    expect((await create(admin, { name: 'Till', role: 'cashier', branchId: 'no-such-branch' })).json.code).toBe(
      'BRANCH_NOT_FOUND',
    );
    const audit = await gw.database.db
      .selectFrom('auditLog')
      .select('actor')
      .where('targetId', '=', fromKey.json.apiKey.id)
      .executeTakeFirstOrThrow();
    expect(audit.actor).toBe(`apikey:${platform.json.apiKey.id}`);
    // Owners see their company's keys only; a branch manager only its branch's.
    const ownerList = (await (await call('GET', '/admin/api-keys', owner)).json()) as { apiKeys: ApiKeyBody[] };
    expect(ownerList.apiKeys.every((k) => k.companyId === acme.companyId)).toBe(true);
    const managerList = (await (await call('GET', '/admin/api-keys', manager)).json()) as { apiKeys: ApiKeyBody[] };
    expect(managerList.apiKeys.every((k) => k.branchId === acme.branchId)).toBe(true);
    expect(await codeOf(await call('GET', `/admin/api-keys/${fromKey.json.apiKey.id}`, owner))).toBe(
      'API_KEY_NOT_FOUND',
    );
    expect(await codeOf(await call('POST', `/admin/api-keys/${fromKey.json.apiKey.id}/revoke`, owner))).toBe(
      'API_KEY_NOT_FOUND',
    );
    expect(await codeOf(await call('GET', `/admin/api-keys?companyId=${globex.companyId}`, owner))).toBe('FORBIDDEN');
    expect(await codeOf(await call('GET', '/admin/api-keys', cashier))).toBe('FORBIDDEN');
  });

  it('answers bad input with its status and code', async () => {
    const cases: [Record<string, unknown> | string, number, string][] = [
      [{ role: 'cashier', branchId: 'b' }, 400, 'BAD_REQUEST'],
      [{ name: 'x', role: 'waiter' }, 400, 'BAD_REQUEST'],
      [{ name: '', role: 'company_owner' }, 400, 'BAD_REQUEST'],
      [{ name: '   ', role: 'company_owner' }, 400, 'BAD_REQUEST'],
      [{ name: 'x', role: 'company_owner', extra: 1 }, 400, 'BAD_REQUEST'],
      [{ name: 'x', role: 'company_owner', expiresAt: 'tomorrow' }, 400, 'BAD_REQUEST'],
      [{ name: 'x', role: 'company_owner', expiresAt: '2001-01-01T00:00:00Z' }, 400, 'BAD_REQUEST'],
      [{ name: 'x', role: 'company_owner', branchId: acme.branchId }, 400, 'BAD_REQUEST'],
      ['{not json', 400, 'BAD_REQUEST'],
    ];
    for (const [body, status, code] of cases) {
      const res = await call('POST', '/admin/api-keys', owner, body);
      expect({ body, status: res.status }).toEqual({ body, status });
      expect(await codeOf(res)).toBe(code);
    }
    expect((await call('POST', '/admin/api-keys', undefined, { name: 'x', role: 'cashier' })).status).toBe(401);
    expect(await codeOf(await call('GET', '/admin/api-keys/nope', owner))).toBe('API_KEY_NOT_FOUND');
    expect(await codeOf(await call('GET', `/admin/api-keys/${'x'.repeat(129)}`, owner))).toBe('BAD_REQUEST');
    expect(await codeOf(await call('GET', '/admin/api-keys?includeRevoked=maybe', owner))).toBe('BAD_REQUEST');
    expect(await codeOf(await call('GET', '/admin/api-keys?limit=3', owner))).toBe('BAD_REQUEST');
    for (const key of ['pm_nothing', `pm_0123abcd_${'A'.repeat(43)}`, 'pm_']) {
      const res = await call('GET', '/printing/printers', { 'x-api-key': key });
      expect(res.status).toBe(401);
      expect(await codeOf(res)).toBe('AUTH_FAILED');
    }
    const mismatch = await call('GET', '/printing/printers', { authorization: `Bearer ${owner}`, 'x-api-key': 'pm_x' });
    expect(await codeOf(mismatch)).toBe('AUTH_FAILED');
  });
});

describe('API keys in the OpenAPI document', () => {
  it('names the X-API-Key scheme beside the bearer one, on every route that takes a credential', async () => {
    const gw = await startTestGateway();
    try {
      const doc = (await (await fetch(`${gw.url}/docs/json`)).json()) as {
        components: { securitySchemes: Record<string, unknown> };
        paths: Record<string, Record<string, { security?: unknown[] }>>;
      };
      expect(doc.components.securitySchemes.apiKeyAuth).toEqual({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
      expect(doc.paths['/admin/api-keys']?.post?.security).toEqual([{ bearerAuth: [] }, { apiKeyAuth: [] }]);
      // Every route that takes a credential takes both.
      const bearerOnly = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.entries(ops)
          .filter(([, op]) => op.security !== undefined && !JSON.stringify(op.security).includes('apiKeyAuth'))
          .map(([method]) => `${method.toUpperCase()} ${path}`),
      );
      expect(bearerOnly).toEqual([]);
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/admin/api-keys/{apiKeyId}/revoke',
          '/auth/sessions',
          '/auth/refresh',
          '/auth/logout',
        ]),
      );
    } finally {
      await gw.close();
    }
  });
});
