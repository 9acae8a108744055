import type { Clock, Timer } from '../../src/core/clock.js';

/**
 * A clock the test moves: `advance(ms)` fires every timer that falls due, in order of due
 * time, and lets the promise jobs each one starts settle before the next fires.
 */
export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers = new Map<number, { due: number; task: () => void }>();

  constructor(startMs = Date.UTC(2026, 11, 1, 12, 0, 0)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, task: () => void): Timer {
    const id = ++this.seq;
    this.timers.set(id, { due: this.current + Math.max(0, delayMs), task });
    return { cancel: () => this.timers.delete(id) };
  }

  /** Timers not yet fired. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward without firing any timer: a timer that was lost. */
  jump(ms: number): void {
    this.current += ms;
  }

  /** Moves time forward by `ms`, firing what falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.timers.delete(next.id);
      this.current = next.due;
      next.task();
      await settle();
    }
    this.current = target;
    await settle();
  }

  private nextDue(limit: number): { id: number; due: number; task: () => void } | undefined {
    let found: { id: number; due: number; task: () => void } | undefined;
    for (const [id, t] of this.timers) {
      if (t.due <= limit && (!found || t.due < found.due || (t.due === found.due && id < found.id)))
        found = { id, ...t };
    }
    return found;
  }
}

/** Lets queued promise jobs and one macrotask turn run. */
async function settle(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
}
