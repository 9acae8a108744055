import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/test-database.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

const ready = await postgresAvailable();

interface Pair {
  accessToken: string;
  refreshToken: string;
  sessionId: string;
}

/**
 * The same refresh token presented several times at once (a thief and its user refreshing
 * together), on PostgreSQL where the refreshes really run concurrently: one exchange wins, the
 * others are reuses that revoke the session, and the winner's new tokens are revoked with it:
 * no refresh token of the session outlives the reuse.
 */
describe.runIf(ready)('refresh tokens used concurrently (PostgreSQL)', () => {
  let gw: TestGateway;
  let owner: string;
  let tenant: Awaited<ReturnType<TestGateway['seedTenant']>>;

  beforeAll(async () => {
    gw = await startTestGateway({ store: 'postgres' });
    tenant = await gw.seedTenant('Racy');
    owner = await gw.token('company_owner', { companyId: tenant.companyId });
  });
  afterAll(() => gw?.close());

  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${gw.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  it('lets no new token of a session survive the reuse detected among concurrent refreshes', async () => {
    for (let round = 0; round < 5; round++) {
      const started = await post(
        '/auth/sessions',
        { sub: `till-${round}`, role: 'cashier', companyId: tenant.companyId, branchId: tenant.branchId },
        owner,
      );
      expect(started.status).toBe(201);
      const pair = (await started.json()) as Pair;
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => post('/auth/refresh', { refreshToken: pair.refreshToken })),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 401)).toHaveLength(5);
      const winner = (await answers.find((a) => a.status === 200)?.json()) as Pair;
      // The reuse revoked the session, the winner's rotation included.
      expect((await post('/auth/refresh', { refreshToken: winner.refreshToken })).status).toBe(401);
      const printers = await fetch(`${gw.url}/printing/printers`, {
        headers: { authorization: `Bearer ${winner.accessToken}` },
      });
      expect(printers.status).toBe(401);
      const rows = await gw.database.db
        .selectFrom('refreshTokens')
        .select(['id', 'revokedAt'])
        .where('familyId', '=', pair.sessionId)
        .execute();
      expect(rows.length).toBe(2);
      expect(rows.every((r) => r.revokedAt !== null)).toBe(true);
    }
  });
});
