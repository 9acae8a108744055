import { describe, expect, it } from 'vitest';
import { planAfterFailure, shouldDisable } from '../../src/core/webhook-retry-policy.js';

const settings = {
  retryBaseMs: 5_000,
  retryCapMs: 1_800_000,
  giveUpAfterMs: 86_400_000,
  disableAfterFailures: 20,
  disableAfterMs: 43_200_000,
};

describe('webhook retry policy', () => {
  it('doubles the wait with each attempt, half of it random (equal jitter), up to the cap', () => {
    const t0 = 1_000_000;
    const wait = (attempt: number, random: number) => {
      const plan = planAfterFailure(settings, attempt, t0, t0, () => random);
      if (!('retryAt' in plan)) throw new Error('gave up');
      return plan.retryAt - t0;
    };
    expect([1, 2, 3, 4].map((a) => wait(a, 0))).toEqual([2_500, 5_000, 10_000, 20_000]);
    expect([1, 2, 3, 4].map((a) => wait(a, 1))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(wait(30, 0)).toBe(900_000);
    expect(wait(30, 1)).toBe(1_800_000);
    expect(wait(1_000, 0.5)).toBe(1_350_000);
  });

  it('tries last on the deadline, 24 h after the first attempt, and gives up at it', () => {
    const first = 0;
    const almost = 86_400_000 - 1_000;
    expect(planAfterFailure(settings, 40, first, almost, () => 0.5)).toEqual({ retryAt: 86_400_000 });
    expect(planAfterFailure(settings, 41, first, 86_400_000, () => 0.5)).toEqual({ giveUp: true });
  });

  it('disables only a run long in both count and time', () => {
    const now = 100 * 3_600_000;
    expect(shouldDisable(settings, { consecutiveFailures: 500, failingSince: now - 120_000 }, now)).toBe(false);
    expect(shouldDisable(settings, { consecutiveFailures: 19, failingSince: now - 86_400_000 }, now)).toBe(false);
    expect(shouldDisable(settings, { consecutiveFailures: 20, failingSince: now - 43_200_000 }, now)).toBe(true);
  });

  it('keeps a receiver down for 2 minutes enabled with the defaults, however many deliveries fail', () => {
    // Every failure of the run falls within the 2 minutes, so the duration rule holds it back.
    const now = 10_000_000;
    expect(shouldDisable(settings, { consecutiveFailures: 10_000, failingSince: now - 2 * 60_000 }, now)).toBe(false);
  });
});
