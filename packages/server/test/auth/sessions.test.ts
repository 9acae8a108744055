import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

interface Pair {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  sessionId: string;
}

describe('web users’ sessions (embedded store, real HTTP)', () => {
  let gw: TestGateway;
  let acme: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let globex: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let owner: string;
  let manager: string;
  let cashier: string;

  beforeAll(async () => {
    gw = await startTestGateway({ env: { JWT_ACCESS_TTL: '10m', JWT_REFRESH_TTL: '2d' } });
    acme = await gw.seedTenant('Acme');
    globex = await gw.seedTenant('Globex');
    owner = await gw.token('company_owner', { companyId: acme.companyId });
    manager = await gw.token('branch_manager', { companyId: acme.companyId, branchId: acme.branchId });
    cashier = await gw.token('cashier', { companyId: acme.companyId, branchId: acme.branchId });
  });
  afterAll(() => gw.close());

  const call = (method: string, path: string, auth?: string | Record<string, string>, body?: unknown) =>
    fetch(`${gw.url}${path}`, {
      method,
      headers: {
        ...(typeof auth === 'string' ? { authorization: `Bearer ${auth}` } : (auth ?? {})),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const codeOf = async (res: Response) => ((await res.json()) as { code: string }).code;
  const begin = async (caller: string, body: Record<string, unknown>) => {
    const res = await call('POST', '/auth/sessions', caller, body);
    expect(res.status).toBe(201);
    return (await res.json()) as Pair;
  };
  const refresh = (refreshToken: string) => call('POST', '/auth/refresh', undefined, { refreshToken });
  const cashierOf = () => ({
    sub: 'till-7',
    email: 'till7@acme.test',
    role: 'cashier',
    companyId: acme.companyId,
    branchId: acme.branchId,
  });

  it('hands out a short access token and a refresh token, with the configured lifetimes', async () => {
    const pair = await begin(owner, cashierOf());
    const claims = decodeJwt(pair.accessToken);
    expect(claims).toMatchObject({ sub: 'till-7', role: 'cashier', branchId: acme.branchId, sid: pair.sessionId });
    expect((claims.exp as number) - (claims.iat as number)).toBe(600);
    expect(Date.parse(pair.accessTokenExpiresAt)).toBe((claims.exp as number) * 1000);
    const refreshLife = Date.parse(pair.refreshTokenExpiresAt) - Date.now();
    expect(refreshLife).toBeGreaterThan(86_400_000);
    expect(refreshLife).toBeLessThanOrEqual(2 * 86_400_000);
    expect(pair.refreshToken).toMatch(/^pmr_/);
    expect((await call('GET', '/printing/printers', pair.accessToken)).status).toBe(200);
  });

  it('rotates the refresh token on use, and revokes the whole session when a used one comes back', async () => {
    const first = await begin(owner, cashierOf());
    const second = (await (await refresh(first.refreshToken)).json()) as Pair;
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    // A new access token too, even within the same second (each has its own jti).
    expect(second.accessToken).not.toBe(first.accessToken);
    expect((await call('GET', '/printing/printers', second.accessToken)).status).toBe(200);

    const replay = await refresh(first.refreshToken);
    expect(replay.status).toBe(401);
    expect(await codeOf(replay)).toBe('AUTH_FAILED');
    // The thief's and the user's tokens alike: the session is over.
    expect((await refresh(second.refreshToken)).status).toBe(401);
    expect((await call('GET', '/printing/printers', second.accessToken)).status).toBe(401);
    expect((await call('GET', '/printing/printers', first.accessToken)).status).toBe(401);
    const audit = await gw.database.db
      .selectFrom('auditLog')
      .select('action')
      .where('targetId', '=', first.sessionId)
      .execute();
    expect(audit.map((a) => a.action)).toContain('session.refresh_reused');
    expect(
      gw.logs.some(
        (l) => l.msg === 'refresh token used twice; its session is revoked' && l.sessionId === first.sessionId,
      ),
    ).toBe(true);
  });

  it('ends the session on logout: its access and refresh tokens stop working', async () => {
    const pair = await begin(manager, cashierOf());
    const logout = await call('POST', '/auth/logout', pair.accessToken);
    expect(logout.status).toBe(200);
    expect((await call('GET', '/printing/printers', pair.accessToken)).status).toBe(401);
    expect((await refresh(pair.refreshToken)).status).toBe(401);
    // A credential that is not a session has nothing to log out of.
    expect(await codeOf(await call('POST', '/auth/logout', owner))).toBe('BAD_REQUEST');
    expect(await codeOf(await call('POST', '/auth/logout'))).toBe('AUTH_FAILED');
  });

  it('lets a caller hand out sessions only within its scope and up to its own role', async () => {
    const refused = async (caller: string, body: Record<string, unknown>) =>
      codeOf(await call('POST', '/auth/sessions', caller, body));
    expect(await refused(manager, { sub: 'x', role: 'company_owner', companyId: acme.companyId })).toBe('FORBIDDEN');
    expect(await refused(cashier, cashierOf())).toBe('FORBIDDEN');
    expect(await refused(owner, { sub: 'x', role: 'company_owner', companyId: globex.companyId })).toBe('FORBIDDEN');
    expect(await refused(owner, { sub: 'x', role: 'super_admin' })).toBe('FORBIDDEN');
    expect(
      await refused(manager, { sub: 'x', role: 'cashier', companyId: acme.companyId, branchId: globex.branchId }),
    ).toBe('FORBIDDEN');
    // An API key of a granting role mints sessions as its role may.
    const key = (await (
      await call('POST', '/admin/api-keys', owner, { name: 'Platform backend', role: 'company_owner' })
    ).json()) as {
      key: string;
    };
    const res = await call('POST', '/auth/sessions', { 'x-api-key': key.key }, cashierOf());
    expect(res.status).toBe(201);
    // The caller's company is the default, as for API keys; a manager's branch too.
    const { companyId: _c, ...withoutCompany } = cashierOf();
    const defaulted = await call('POST', '/auth/sessions', { 'x-api-key': key.key }, withoutCompany);
    expect(defaulted.status).toBe(201);
    const claims = decodeJwt(((await defaulted.json()) as Pair).accessToken);
    expect(claims).toMatchObject({ companyId: acme.companyId, branchId: acme.branchId, role: 'cashier' });
    const fromManager = await begin(manager, { sub: 'till-9', role: 'cashier' });
    expect(decodeJwt(fromManager.accessToken)).toMatchObject({ companyId: acme.companyId, branchId: acme.branchId });
  });

  it('answers bad input with its status and code', async () => {
    const cases: [unknown, string][] = [
      [{ role: 'cashier', companyId: acme.companyId, branchId: acme.branchId }, 'BAD_REQUEST'],
      [{ sub: 'x', role: 'waiter', companyId: acme.companyId }, 'BAD_REQUEST'],
      [{ sub: '', role: 'company_owner', companyId: acme.companyId }, 'BAD_REQUEST'],
      [{ sub: 'x', role: 'company_owner', companyId: acme.companyId, admin: true }, 'BAD_REQUEST'],
      [{ sub: 'x', role: 'cashier', companyId: acme.companyId }, 'BAD_REQUEST'],
      [{ sub: 'x', role: 'company_owner', companyId: acme.companyId, branchId: acme.branchId }, 'BAD_REQUEST'],
      ['[1,2', 'BAD_REQUEST'],
    ];
    for (const [body, code] of cases) {
      const res = await call('POST', '/auth/sessions', owner, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(await codeOf(res)).toBe(code);
    }
    expect((await call('POST', '/auth/sessions', undefined, cashierOf())).status).toBe(401);
    for (const body of [{}, { refreshToken: '' }, { refreshToken: 'x', more: 1 }, { refreshToken: 7 }]) {
      const res = await call('POST', '/auth/refresh', undefined, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
    for (const token of ['pmr_nope', `pmr_${'A'.repeat(43)}`, 'eyJhbGciOi']) {
      const res = await refresh(token);
      expect(res.status).toBe(401);
      expect(await codeOf(res)).toBe('AUTH_FAILED');
    }
  });
});
