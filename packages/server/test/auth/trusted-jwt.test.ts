import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';
import { connectWeb, roundTrip } from '../support/socket-clients.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

const ISSUER = 'https://platform.example';
const AUDIENCE = 'printermaster';

type Keys = Awaited<ReturnType<typeof generateKeyPair>>;

/** A platform's token: its own claim names, signed with `keys`. */
function platformToken(keys: Keys, alg: string, claims: JWTPayload, options: { exp?: number | string | null } = {}) {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg, kid: 'k1' }).setIssuer(ISSUER).setAudience(AUDIENCE);
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? '10m');
  return jwt.setSubject('platform-user-9').setIssuedAt().sign(keys.privateKey);
}

describe('a platform’s own JWTs, trusted by configuration', () => {
  let jwks: Server;
  let keys: Keys;
  let gw: TestGateway;
  let tenant: Awaited<ReturnType<TestGateway['seedTenant']>>;
  let other: Awaited<ReturnType<TestGateway['seedTenant']>>;

  beforeAll(async () => {
    keys = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    gw = await startTestGateway({
      env: {
        TRUSTED_JWT_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
        TRUSTED_JWT_ISSUER: ISSUER,
        TRUSTED_JWT_AUDIENCE: AUDIENCE,
        TRUSTED_JWT_COMPANY_CLAIM: 'https://platform.example/tenant',
        TRUSTED_JWT_BRANCH_CLAIM: 'outlet',
        TRUSTED_JWT_ROLE_CLAIM: 'pm_role',
        TRUSTED_JWT_ROLE_MAP: 'owner:company_owner,manager:branch_manager',
        TRUSTED_JWT_ALGORITHMS: 'RS256',
      },
    });
    tenant = await gw.seedTenant('Platform tenant');
    other = await gw.seedTenant('Another tenant');
  });
  afterAll(async () => {
    await gw?.close();
    await new Promise((resolve) => jwks?.close(resolve));
  });

  const status = async (token: string, path = '/printing/printers') =>
    (await fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).status;
  const manager = () => ({
    pm_role: 'manager',
    'https://platform.example/tenant': tenant.companyId,
    outlet: tenant.branchId,
  });

  it('accepts a token signed with a key of the JWKS, with its scope from the configured claims', async () => {
    const token = await platformToken(keys, 'RS256', manager());
    expect(await status(token)).toBe(200);
    expect(await status(token, `/printing/printers?branchId=${other.branchId}`)).toBe(403);
    const owner = await platformToken(keys, 'RS256', {
      pm_role: 'owner',
      'https://platform.example/tenant': tenant.companyId,
    });
    expect(await status(owner)).toBe(200);
    // Roles already ours need no mapping.
    const cashier = await platformToken(keys, 'RS256', { ...manager(), pm_role: 'cashier' });
    expect(await status(cashier)).toBe(200);
    // The gateway's own tokens still work beside them.
    expect(await status(await gw.token('company_owner', { companyId: tenant.companyId }))).toBe(200);
  });

  it('admits a platform token on the web socket', async () => {
    const socket = await connectWeb(gw.url, await platformToken(keys, 'RS256', manager()));
    await roundTrip(socket);
    expect(socket.connected).toBe(true);
    socket.close();
  });

  it('refuses a wrong issuer, audience or key, an expired token, one without exp, and an unknown role', async () => {
    const stranger = await generateKeyPair('RS256');
    const refused = [
      await new SignJWT(manager())
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer('https://elsewhere.example')
        .setAudience(AUDIENCE)
        .setSubject('x')
        .setExpirationTime('10m')
        .sign(keys.privateKey),
      await new SignJWT(manager())
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(ISSUER)
        .setAudience('someone-else')
        .setSubject('x')
        .setExpirationTime('10m')
        .sign(keys.privateKey),
      await platformToken(stranger, 'RS256', manager()),
      await platformToken(keys, 'RS256', manager(), { exp: Math.floor(Date.now() / 1000) - 60 }),
      await platformToken(keys, 'RS256', manager(), { exp: null }),
      await platformToken(keys, 'RS256', { ...manager(), pm_role: 'chef' }),
      await platformToken(keys, 'RS256', { pm_role: 'manager', 'https://platform.example/tenant': tenant.companyId }),
    ];
    for (const token of refused) {
      const res = await fetch(`${gw.url}/printing/printers`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { code: string }).code).toBe('AUTH_FAILED');
    }
    // An algorithm outside TRUSTED_JWT_ALGORITHMS is not the platform's: it is checked as one of ours, and fails.
    const es = await generateKeyPair('ES256');
    expect(await status(await platformToken(es, 'ES256', manager()))).toBe(401);
  });

  it('verifies with a configured PEM public key instead of a JWKS', async () => {
    const ec = await generateKeyPair('ES256', { extractable: true });
    const pem = (await exportSPKI(ec.publicKey)).trim().replace(/\n/g, '\\n');
    const pemGateway = await startTestGateway({
      env: { TRUSTED_JWT_PUBLIC_KEY: pem, TRUSTED_JWT_ISSUER: ISSUER, TRUSTED_JWT_AUDIENCE: AUDIENCE },
    });
    try {
      const t = await pemGateway.seedTenant('PEM tenant');
      const token = await platformToken(ec, 'ES256', { role: 'company_owner', companyId: t.companyId });
      const res = await fetch(`${pemGateway.url}/printing/printers`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
    } finally {
      await pemGateway.close();
    }
  });
});

describe('trusted JWT settings', () => {
  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env);
      return [];
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
  };

  it('lists every problem at start-up', () => {
    expect(
      problems({
        TRUSTED_JWT_JWKS_URL: 'https://idp.example/jwks',
        TRUSTED_JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----',
        TRUSTED_JWT_ALGORITHMS: 'HS256',
        TRUSTED_JWT_ROLE_MAP: 'boss:emperor',
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringContaining('TRUSTED_JWT_ALGORITHMS'),
        expect.stringContaining('TRUSTED_JWT_ROLE_MAP'),
        'TRUSTED_JWT_JWKS_URL and TRUSTED_JWT_PUBLIC_KEY must not both be set',
        'TRUSTED_JWT_ISSUER is required with a trusted JWKS URL or public key',
        'TRUSTED_JWT_AUDIENCE is required with a trusted JWKS URL or public key',
        'TRUSTED_JWT_PUBLIC_KEY is not a readable PEM public key',
      ]),
    );
    expect(problems({ TRUSTED_JWT_ISSUER: ISSUER })).toEqual([
      'TRUSTED_JWT_* settings need TRUSTED_JWT_JWKS_URL or TRUSTED_JWT_PUBLIC_KEY',
    ]);
    expect(problems({ TRUSTED_JWT_JWKS_URL: 'ftp://idp.example/jwks' })[0]).toContain('TRUSTED_JWT_JWKS_URL');
    expect(
      problems({
        TRUSTED_JWT_JWKS_URL: 'https://idp.example/jwks',
        TRUSTED_JWT_ISSUER: ISSUER,
        TRUSTED_JWT_AUDIENCE: 'a',
      }),
    ).toEqual([]);
  });
});
