import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwtService } from '../../src/auth/jwt-service.js';
import { SessionTokens } from '../../src/auth/session-tokens.js';
import type { ChangeFeed } from '../../src/core/ports/change-feed.js';
import { SessionService } from '../../src/core/session-service.js';
import { startTestCore, type TestCore } from '../support/test-core.js';

/** A feed whose connection is down: nothing is heard (the other process's logout included). */
const lostFeed: ChangeFeed = { live: false, start: async () => {}, stop: async () => {} };

describe('sessions while revocation notices are lost', () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await startTestCore();
  });
  afterAll(() => t.close());

  it('checks a session token in the store on every use, so another process’s logout still applies', async () => {
    const settings = { accessTtlMs: 900_000, refreshTtlMs: 86_400_000 };
    const deaf = new SessionService({
      ...t.stores,
      clock: t.clock,
      logger: pino({ level: 'silent' }),
      settings,
      changes: lostFeed,
    });
    const jwt = new JwtService('unit-test-secret-unit-test-secret-0123456789', '1h', { sessions: deaf });
    const tokens = new SessionTokens({ sessions: deaf, jwt, accessTtlS: 900 });
    const company = await t.core.tenants.createCompany('Deaf company', 'test');
    const admin = { kind: 'user' as const, userId: 'admin', role: 'super_admin' as const };
    const pair = await tokens.begin(admin, { sub: 'u', role: 'company_owner', companyId: company.id });
    const user = await jwt.verify(pair.accessToken);
    expect(user.sessionId).toBe(pair.sessionId);
    // Not trusted from memory while the notices are lost.
    expect(jwt.alreadyVerified(pair.accessToken)).toBeUndefined();

    // Another process (the test core's own session service) logs the session out.
    await t.core.sessions.logout(user);
    await expect(jwt.verify(pair.accessToken)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(deaf.isRevoked(pair.sessionId)).toBe(true);
  });
});
