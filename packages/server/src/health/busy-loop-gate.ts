import { performance } from 'node:perf_hooks';

/** Share of time the event loop was busy since the previous reading, 0–1. */
export type LoopUtilization = () => number;

export interface BusyLoopGateOptions {
  /** Above this share of busy time since the last call, work that can wait is put off (0–1). */
  busyAbove: number;
  /** Calls in a row that may put it off; the next one lets it through however busy the loop is. */
  maxDeferrals: number;
  /** Reads the utilization; by default the process's own event loop (`performance.eventLoopUtilization`). */
  utilization?: LoopUtilization;
}

/**
 * Lets periodic work that holds the event loop (the embedded store's vacuum pass) wait while the
 * loop is already busy, for instance while a restarted gateway admits thousands of agents, so that
 * it does not add to their wait. It waits a bounded number of times: under load that never eases,
 * the work still runs, late. Each call measures the loop since the previous call.
 */
export class BusyLoopGate {
  private deferrals = 0;
  private readonly utilization: LoopUtilization;

  constructor(private readonly options: BusyLoopGateOptions) {
    this.utilization = options.utilization ?? processLoopUtilization();
  }

  /** True when the work should run now; false when it is put off to the next call. */
  pass(): boolean {
    const busy = this.utilization();
    if (busy > this.options.busyAbove && this.deferrals < this.options.maxDeferrals) {
      this.deferrals++;
      return false;
    }
    this.deferrals = 0;
    return true;
  }

  /**
   * Starts the next measurement now, after the gated work has run: its own time on the loop (a
   * long vacuum pass) must not make the next period look busy.
   */
  restart(): void {
    this.utilization();
  }

  /** Calls put off in a row so far (0 after a call that let the work through). */
  get deferred(): number {
    return this.deferrals;
  }
}

/** The process's event-loop utilization since the previous reading. */
function processLoopUtilization(): LoopUtilization {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, last);
    last = now;
    return delta.utilization;
  };
}
