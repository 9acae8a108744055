import { CORRELATION_ID_PATTERN, isoTime, parseCorrelationId } from '@printermaster/protocol';
import { describe, expect, it } from 'vitest';
import { CorrelationIds } from '../../src/core/correlation-ids.js';
import { FakeClock } from '../support/fake-clock.js';

describe('CorrelationIds', () => {
  it('makes well-formed, distinct IDs over many refills of its random pool', () => {
    const ids = new CorrelationIds(new FakeClock(1_795_000_000_000));
    const seen = new Set<string>();
    const randomChars = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const id = ids.next('printer_test');
      expect(id).toMatch(CORRELATION_ID_PATTERN);
      const parts = parseCorrelationId(id);
      expect(parts).toMatchObject({ type: 'printer_test', timestampMs: 1_795_000_000_000, counter: i + 1 });
      for (const c of parts?.random ?? '') randomChars.set(c, (randomChars.get(c) ?? 0) + 1);
      seen.add(id);
    }
    expect(seen.size).toBe(20_000);
    // 140,000 random characters over 36 symbols: each 3,889 ± 61 (one standard deviation).
    // Bounds of five deviations; byte % 36 without skipping bytes 252–255 would give
    // '0'–'3' about 4,375 each.
    expect(randomChars.size).toBe(36);
    for (const n of randomChars.values()) {
      expect(n).toBeGreaterThan(3_583);
      expect(n).toBeLessThan(4_195);
    }
  });
});

describe('isoTime', () => {
  it('formats as toISOString does, also when the time goes back', () => {
    for (const ms of [0, 1_795_000_000_000, 1_795_000_000_000, 1_795_000_000_001, 1_795_000_000_000]) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
  });
});
