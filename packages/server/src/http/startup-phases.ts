/**
 * Durations of the phases of a gateway's start-up, for its "gateway listening" log line: the
 * first thing to read when a restart or a reload is slow (the drain's steps use it too). `uptimeMs` is the process's age at
 * the end, so that module loading (before the first phase) shows too.
 */
export class StartupPhases {
  private last = performance.now();
  private readonly phases: Record<string, number> = {};

  /** Ends the phase called `name` (it began where the previous one ended). */
  mark(name: string): void {
    const now = performance.now();
    this.phases[name] = Math.round(now - this.last);
    this.last = now;
  }

  /** The phases marked so far, ms. */
  steps(): Record<string, number> {
    return { ...this.phases };
  }

  /** The phases so far, ms, plus `rest` since the last mark and the process's age. */
  done(): { startupMs: Record<string, number> } {
    this.mark('rest');
    return { startupMs: { ...this.phases, uptimeMs: Math.round(process.uptime() * 1000) } };
  }
}
