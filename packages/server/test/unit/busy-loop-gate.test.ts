import { describe, expect, it } from 'vitest';
import { BusyLoopGate } from '../../src/health/busy-loop-gate.js';

/** A gate reading the utilizations given, one per call. */
function gate(readings: number[], maxDeferrals = 3) {
  const queue = [...readings];
  return new BusyLoopGate({
    busyAbove: 0.5,
    maxDeferrals,
    utilization: () => {
      const next = queue.shift();
      if (next === undefined) throw new Error('more calls than readings');
      return next;
    },
  });
}

describe('BusyLoopGate', () => {
  it('lets work through while the loop is quiet', () => {
    const g = gate([0, 0.2, 0.5]);
    expect([g.pass(), g.pass(), g.pass()]).toEqual([true, true, true]);
    expect(g.deferred).toBe(0);
  });

  it('puts work off while the loop is busy, counting the calls put off', () => {
    const g = gate([0.9, 0.95, 0.1]);
    expect(g.pass()).toBe(false);
    expect(g.deferred).toBe(1);
    expect(g.pass()).toBe(false);
    expect(g.deferred).toBe(2);
    expect(g.pass()).toBe(true);
    expect(g.deferred).toBe(0);
  });

  it('lets work through after maxDeferrals calls in a row, however busy, then starts counting again', () => {
    const g = gate([1, 1, 1, 1, 1, 1, 1, 1], 3);
    const passes = Array.from({ length: 8 }, () => g.pass());
    expect(passes).toEqual([false, false, false, true, false, false, false, true]);
  });

  it('starts a new measurement on restart, so that the work it let through does not count as busy', () => {
    const g = gate([0.1, 1, 0.2]);
    expect(g.pass()).toBe(true);
    g.restart(); // reads (and drops) the period holding the work itself
    expect(g.pass()).toBe(true);
  });

  it('never puts off with maxDeferrals 0', () => {
    const g = gate([1, 1], 0);
    expect([g.pass(), g.pass()]).toEqual([true, true]);
  });

  it('measures the real event loop by default: a loop held busy reads as busy', () => {
    const g = new BusyLoopGate({ busyAbove: 0.5, maxDeferrals: 1 });
    const until = performance.now() + 50;
    while (performance.now() < until) {
      // Hold the loop: every millisecond of this counts as busy.
    }
    expect(g.pass()).toBe(false);
  });
});
