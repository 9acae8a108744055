import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCore, type TestCore } from '../support/test-core.js';

describe('refresh token housekeeping', () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await startTestCore({ env: { JWT_REFRESH_TTL: '2d' } });
  });
  afterAll(() => t.close());

  it('deletes refresh tokens a day after they expired, and no sooner', async () => {
    const company = await t.core.tenants.createCompany('Sweep company', 'test');
    const admin = { kind: 'user' as const, userId: 'admin', role: 'super_admin' as const };
    const issued = await t.core.sessions.begin(admin, { sub: 'u1', role: 'company_owner', companyId: company.id });
    await t.clock.advance(2 * 86_400_000 + 1_000);
    expect(await t.core.sessions.sweepExpired()).toBe(0);
    await expect(t.core.sessions.refresh(issued.refreshToken)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await t.clock.advance(86_400_000);
    expect(await t.core.sessions.sweepExpired()).toBe(1);
    await expect(t.core.sessions.refresh(issued.refreshToken)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });

  it('takes a used refresh token presented again for a reuse even after it expired', async () => {
    const company = await t.core.tenants.createCompany('Reuse company', 'test');
    const admin = { kind: 'user' as const, userId: 'admin', role: 'super_admin' as const };
    const first = await t.core.sessions.begin(admin, { sub: 'u2', role: 'company_owner', companyId: company.id });
    const second = await t.core.sessions.refresh(first.refreshToken);
    await t.clock.advance(2 * 86_400_000 + 1_000);
    await expect(t.core.sessions.refresh(first.refreshToken)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(t.core.sessions.isRevoked(second.familyId)).toBe(true);
  });
});
