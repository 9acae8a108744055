import type { Logger } from './ports/logger.js';

/** One part of the running gateway: what it does at start, and at stop. */
export interface LifecyclePart {
  /** For logs, e.g. `store`, `http`. */
  name: string;
  start?(): Promise<void> | void;
  /** Must not throw for a part already stopped; a failure is logged and the stop goes on. */
  stop?(): Promise<void> | void;
}

/**
 * The parts of a running gateway, started one by one in the order they come and stopped in the
 * reverse order, so that each part stops before what it depends on (the HTTP edge before the
 * services, the services before the store).
 */
export class Lifecycle {
  private started: LifecyclePart[] = [];
  private stopping: Promise<Record<string, number>> | undefined;

  constructor(private readonly logger: Logger) {}

  /** Starts `part` now; it is stopped with the rest. A part whose start throws is not stopped. */
  async start<P extends LifecyclePart>(part: P): Promise<P> {
    await part.start?.();
    this.started.push(part);
    return part;
  }

  /** Adds a part whose start was done by its constructor or opener (a store just opened). */
  adopt(part: LifecyclePart): void {
    this.started.push(part);
  }

  /**
   * Stops every started part, last started first. Idempotent: later calls get the same promise.
   * Resolves to how long each part took to stop, ms, for the log: what a slow stop (or the
   * handover of a reload) spent its time on.
   */
  stop(): Promise<Record<string, number>> {
    this.stopping ??= (async () => {
      const durations: Record<string, number> = {};
      for (const part of this.started.reverse()) {
        const began = performance.now();
        try {
          await part.stop?.();
        } catch (err) {
          this.logger.error({ err, part: part.name }, 'stopping a part of the gateway failed');
        }
        durations[part.name] = Math.round(performance.now() - began);
      }
      this.started = [];
      return durations;
    })();
    return this.stopping;
  }
}
