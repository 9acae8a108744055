import { describe, expect, it } from 'vitest';
import { SessionRevocations } from '../../src/core/session-revocations.js';

describe('SessionRevocations', () => {
  it('forgets a revocation once no access token of it can be valid', () => {
    let now = 1_000;
    const revocations = new SessionRevocations({ now: () => now, keepMs: 500, maxEntries: 100 });
    revocations.add('a');
    expect(revocations.isRevoked('a')).toBe(true);
    now += 501;
    revocations.add('b');
    expect(revocations.isRevoked('a')).toBe(false);
    expect(revocations.size).toBe(1);
    expect(revocations.complete).toBe(true);
  });

  it('says it is incomplete, rather than "not revoked", while a revocation dropped for room could matter', () => {
    let now = 1_000;
    const revocations = new SessionRevocations({ now: () => now, keepMs: 500, maxEntries: 2 });
    const told: string[] = [];
    revocations.onRevoked((id) => told.push(id));
    revocations.add('a');
    now += 100;
    revocations.add('b');
    expect(revocations.complete).toBe(true);
    revocations.add('c');
    // 'a' was dropped while its tokens could still be valid (until 1,500): the memory cannot vouch for anyone.
    expect(revocations.size).toBe(2);
    expect(revocations.isRevoked('a')).toBe(false);
    expect(revocations.complete).toBe(false);
    expect(told).toEqual(['a', 'b', 'c']);
    now = 1_500;
    expect(revocations.complete).toBe(true);
  });
});
