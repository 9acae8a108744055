import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminCommands } from '../../src/admin/admin-commands.js';
import { sessionTokensFor } from '../../src/auth/session-tokens.js';
import type { CredentialConfig } from '../../src/config/credential-settings.js';
import { systemClock } from '../../src/system-clock.js';
import { admitted } from '../support/socket-clients.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

const CSRF = { 'x-printermaster-csrf': '1' };

/** The cookies a response sets, by name: their value and attributes as sent. */
function setCookies(res: Response): Map<string, { value: string; attributes: string }> {
  const out = new Map<string, { value: string; attributes: string }>();
  for (const line of res.headers.getSetCookie()) {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    out.set(pair.slice(0, eq), { value: pair.slice(eq + 1), attributes: attributes.join(';').trim() });
  }
  return out;
}

describe('dashboard sessions in cookies (docs/dashboard.md)', () => {
  let gw: TestGateway;
  let acme: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let globex: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let admin: AdminCommands;

  beforeAll(async () => {
    // Behind a trusted proxy: a request can name an address of its own, which the refused-access
    // audit (one entry per address and status a minute) then records apart from the others.
    gw = await startTestGateway({
      env: { JWT_ACCESS_TTL: '10m', JWT_REFRESH_TTL: '2d', PRINTERMASTER_TRUST_PROXY: 'true' },
    });
    acme = await gw.seedTenant('Acme');
    globex = await gw.seedTenant('Globex');
    const credentials: CredentialConfig = { accessTtlS: 600, refreshTtlS: 172_800, trustedJwt: undefined };
    const tokens = sessionTokensFor({
      config: { credentials },
      stores: gw.stores,
      jwt: gw.jwt,
      clock: systemClock,
      logger: gw.logger,
    });
    admin = new AdminCommands(gw.tenants, gw.licenses, gw.jwt, undefined, tokens);
  });
  afterAll(() => gw.close());

  async function loginCode(args: Record<string, string>): Promise<string> {
    const answer = (await admin.run({ command: 'login-link', args })) as { code: string; expiresAt: string };
    const lifeMs = Date.parse(answer.expiresAt) - Date.now();
    expect(lifeMs).toBeGreaterThan(9 * 60_000);
    expect(lifeMs).toBeLessThanOrEqual(10 * 60_000);
    return answer.code;
  }

  function login(code: string, headers: Record<string, string> = CSRF) {
    return fetch(`${gw.url}/auth/web/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ code }),
    });
  }

  /** Signs a cashier of Acme in; the cookie header a browser would send afterwards. */
  async function signedInCashier(): Promise<{ cookie: string; refresh: string }> {
    const res = await login(await loginCode({ role: 'cashier', branch: acme.branchId }));
    expect(res.status).toBe(200);
    const cookies = setCookies(res);
    return {
      cookie: `pm_access=${cookies.get('pm_access')?.value}`,
      refresh: `pm_refresh=${cookies.get('pm_refresh')?.value}`,
    };
  }

  it('exchanges a login link’s code once for httpOnly, SameSite=Strict cookies; the body holds no token', async () => {
    const code = await loginCode({ role: 'cashier', branch: acme.branchId });
    const res = await login(code);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text).user).toMatchObject({
      role: 'cashier',
      companyId: acme.companyId,
      branchId: acme.branchId,
    });
    const cookies = setCookies(res);
    const access = cookies.get('pm_access');
    const refresh = cookies.get('pm_refresh');
    expect(access?.attributes).toMatch(/HttpOnly/);
    expect(access?.attributes).toMatch(/SameSite=Strict/);
    expect(access?.attributes).toMatch(/Path=\//);
    expect(access?.attributes).not.toMatch(/Secure/); // plain http here
    expect(refresh?.attributes).toMatch(/Path=\/auth\/web/);
    expect(refresh?.attributes).toMatch(/HttpOnly/);
    expect(text).not.toContain(access?.value);
    expect(text).not.toContain(refresh?.value);

    // The code is spent: a second use is refused and ends the session it started.
    expect((await login(code)).status).toBe(401);
    const me = await fetch(`${gw.url}/auth/web/me`, { headers: { cookie: `pm_access=${access?.value}` } });
    expect(me.status).toBe(401);
  });

  it('refuses a sign-in without the CSRF header or from another origin', async () => {
    const code = await loginCode({ role: 'super_admin' });
    expect((await login(code, {})).status).toBe(403);
    expect((await login(code, { ...CSRF, origin: 'http://evil.example' })).status).toBe(403);
    expect((await login(code, { ...CSRF, origin: gw.url })).status).toBe(200);
  });

  it('scopes the cookie like a bearer token: a cashier sees its branch only', async () => {
    const { cookie } = await signedInCashier();
    const mine = await fetch(`${gw.url}/printing/printers?branchId=${acme.branchId}`, { headers: { cookie } });
    expect(mine.status).toBe(200);
    const other = await fetch(`${gw.url}/printing/printers?branchId=${globex.branchId}`, { headers: { cookie } });
    expect(other.status).toBe(403);
    const jobs = await fetch(`${gw.url}/printing/jobs`, { headers: { cookie } });
    expect(jobs.status).toBe(200);
  });

  it('needs the CSRF header on writes and refuses cookies sent from another origin', async () => {
    const { cookie } = await signedInCashier();
    const body = JSON.stringify({ printerId: 'nope', content: 'AA==' });
    const headers = { cookie, 'content-type': 'application/json' };
    const bare = await fetch(`${gw.url}/printing/jobs`, {
      method: 'POST',
      headers: { ...headers, 'x-forwarded-for': '203.0.113.7' },
      body,
    });
    expect(bare.status).toBe(403);
    // Audited as the cookie's user, with the route.
    const admin = await gw.token('super_admin');
    await expect
      .poll(async () => {
        const res = await fetch(`${gw.url}/api/audit-log?action=access.refused`, {
          headers: { authorization: `Bearer ${admin}` },
        });
        const { entries } = (await res.json()) as {
          entries: { actor: string; targetId: string; sourceAddress: string }[];
        };
        const entry = entries.find((e) => e.sourceAddress === '203.0.113.7');
        return entry && { actor: entry.actor, targetId: entry.targetId };
      })
      .toEqual({ actor: 'user:cashier@cli', targetId: 'POST /printing/jobs' });
    const foreign = await fetch(`${gw.url}/printing/jobs`, {
      method: 'POST',
      headers: { ...headers, ...CSRF, origin: 'http://127.0.0.1:1' },
      body,
    });
    expect(foreign.status).toBe(403);
    const own = await fetch(`${gw.url}/printing/jobs`, { method: 'POST', headers: { ...headers, ...CSRF }, body });
    expect(own.status).toBe(404); // past the credential checks: the printer does not exist
    const read = await fetch(`${gw.url}/printing/jobs`, { headers: { cookie, origin: 'http://127.0.0.1:1' } });
    expect(read.status).toBe(403);
  });

  it('refreshes with the refresh cookie (used once) and logs out', async () => {
    const { cookie, refresh } = await signedInCashier();
    const next = await fetch(`${gw.url}/auth/web/refresh`, { method: 'POST', headers: { cookie: refresh, ...CSRF } });
    expect(next.status).toBe(200);
    const cookies = setCookies(next);
    const newAccess = `pm_access=${cookies.get('pm_access')?.value}`;
    expect(newAccess).not.toBe(cookie);
    expect((await fetch(`${gw.url}/auth/web/me`, { headers: { cookie: newAccess } })).status).toBe(200);

    const out = await fetch(`${gw.url}/auth/web/logout`, { method: 'POST', headers: { cookie: newAccess, ...CSRF } });
    expect(out.status).toBe(200);
    expect(setCookies(out).get('pm_access')?.value).toBe('');
    expect((await fetch(`${gw.url}/auth/web/me`, { headers: { cookie: newAccess } })).status).toBe(401);
    expect((await fetch(`${gw.url}/auth/web/me`, { headers: { cookie } })).status).toBe(401);
  });

  it('admits the dashboard’s socket by its cookie from its own origin only', async () => {
    const { cookie } = await signedInCashier();
    const host = new URL(gw.url).host;
    const own = await admitted(
      io(`${gw.url}/printing-ws`, {
        transports: ['websocket'],
        reconnection: false,
        extraHeaders: { cookie, origin: `http://${host}` },
      }),
    );
    own.close();
    await expect(
      admitted(
        io(`${gw.url}/printing-ws`, {
          transports: ['websocket'],
          reconnection: false,
          extraHeaders: { cookie, origin: 'http://evil.example' },
        }),
      ),
    ).rejects.toMatchObject({ data: { code: 'AUTH_FAILED' } });
  });
});
