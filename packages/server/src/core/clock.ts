/** A timer started through the Clock; `cancel` is idempotent and safe after it fired. */
export interface Timer {
  cancel(): void;
}

/**
 * Time as the core sees it: the current instant and one-shot timers. The core never calls
 * `setTimeout`/`setInterval` itself, so a test can drive every deadline, sweep and periodic
 * task with a fake clock (test/support/fake-clock.ts) instead of waiting.
 */
export interface Clock {
  /** Unix milliseconds. */
  now(): number;
  /**
   * Runs `task` once, `delayMs` milliseconds from now (negative counts as 0). The system
   * clock's timers never keep the process alive. A task that throws is the caller's bug:
   * wrap work that may fail.
   */
  setTimer(delayMs: number, task: () => void): Timer;
}
