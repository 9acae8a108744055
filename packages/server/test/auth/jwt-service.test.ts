import { afterEach, describe, expect, it, vi } from 'vitest';
import { JwtService } from '../../src/auth/jwt-service.js';

describe('JwtService', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reuses a verified token only until its own expiry', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-22T12:00:00Z'));
    const jwt = new JwtService('a-test-secret-that-is-long-enough-0123456789', '1h');
    const token = await jwt.sign({ sub: 'u1', role: 'cashier', companyId: 'c1', branchId: 'b1' }, '60');
    expect(jwt.alreadyVerified(token)).toBeUndefined();
    expect(await jwt.verify(token)).toMatchObject({ userId: 'u1', role: 'cashier', branchId: 'b1' });
    // Served from the cache now; still the same answer.
    expect(await jwt.verify(token)).toMatchObject({ userId: 'u1' });
    expect(jwt.alreadyVerified(token)).toMatchObject({ userId: 'u1' });
    vi.setSystemTime(new Date('2026-11-22T12:01:01Z'));
    expect(jwt.alreadyVerified(token)).toBeUndefined();
    await expect(jwt.verify(token)).rejects.toMatchObject({ code: 'AUTH_FAILED', message: 'token has expired' });
  });

  it('never caches a token it refused', async () => {
    const jwt = new JwtService('a-test-secret-that-is-long-enough-0123456789', '1h');
    const other = new JwtService('another-secret-that-is-long-enough-987654321', '1h');
    const foreign = await other.sign({ sub: 'u2', role: 'super_admin' });
    await expect(jwt.verify(foreign)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(jwt.alreadyVerified(foreign)).toBeUndefined();
    await expect(jwt.verify(foreign)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });
});
