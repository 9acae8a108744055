import type { Clock, Timer } from './core/clock.js';

/** setTimeout's longest delay, ms; a later deadline is waited for in steps. */
const MAX_TIMER_MS = 2_147_483_647;

/** The wall clock and Node's timers, unref'd so that no timer holds a stopping process open. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(delayMs: number, task: () => void): Timer {
    const due = Date.now() + Math.max(0, delayMs);
    let handle: ReturnType<typeof setTimeout>;
    const arm = (wait: number) => {
      handle = setTimeout(() => {
        const left = due - Date.now();
        if (left > 0 && wait >= MAX_TIMER_MS) arm(Math.min(left, MAX_TIMER_MS));
        else task();
      }, wait);
      handle.unref();
    };
    arm(Math.min(Math.max(0, delayMs), MAX_TIMER_MS));
    return { cancel: () => clearTimeout(handle) };
  },
};
