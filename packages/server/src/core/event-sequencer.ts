import type { Clock, Timer } from './clock.js';
import type { EventStore, SequencedBatch } from './ports/event-store.js';
import type { Logger } from './ports/logger.js';
import { runAsGateway } from './tenant-scope.js';

export interface EventSequencerOptions {
  /** Time between passes when nothing nudges the sequencer, ms (> 0): other processes' events. */
  intervalMs: number;
  /** Events per pass (one transaction); a full pass is followed at once by another. */
  batchSize: number;
  /**
   * How long a nudge waits before its pass, gathering the events written meanwhile into it, ms
   * (default 20). Under load this bounds passes to a few dozen a second instead of one per change,
   * each pass numbering many events: the print path then pays a fraction of a pass per change.
   */
  gatherMs?: number;
}

export interface EventSequencerDeps {
  events: Pick<EventStore, 'sequence'>;
  clock: Clock;
  logger: Logger;
  options: EventSequencerOptions;
  /** Called after each pass that sequenced events (the `eventsSequenced` core event). */
  onSequenced?: (batch: SequencedBatch) => void;
}

/** Default of EventSequencerOptions.gatherMs. */
export const DEFAULT_GATHER_MS = 20;

/**
 * Gives outbox events their seq, in passes (EventStore.sequence), and so makes them visible to
 * the feed and creates their webhook deliveries. One pass runs at a time per process; a nudge
 * (this process wrote events) runs one `gatherMs` later (or that long after the pass in progress),
 * a full pass runs another at once, and a timer runs one every `intervalMs` for events written by
 * other processes. Passes of several processes are serialised by the store's lock, so running one
 * per process is safe.
 */
export class EventSequencer {
  private timer: Timer | undefined;
  /** The gathering timer of a nudge: a pass is due soon. */
  private soon: Timer | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private started = false;

  constructor(private readonly deps: EventSequencerDeps) {}

  /** Starts the periodic passes, with one at once (events left by a previous process). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.run();
  }

  /**
   * Asks for a pass soon: `gatherMs` from now, or that long after the pass in progress. Cheap
   * enough to call on every change. Does nothing before `start` or after `stop`.
   */
  nudge(): void {
    if (!this.started) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.soon) return;
    this.soon = this.deps.clock.setTimer(this.deps.options.gatherMs ?? DEFAULT_GATHER_MS, () => {
      this.soon = undefined;
      if (this.running) this.again = true;
      else this.run();
    });
  }

  private run(): void {
    if (!this.started) return;
    this.timer?.cancel();
    this.timer = undefined;
    this.running = this.loop().finally(() => {
      this.running = undefined;
      this.arm();
    });
  }

  /** Runs passes until one is not full; resolves with how many events were sequenced. For tests and tools. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await this.pass();
      total += batch.count;
      if (batch.count < this.deps.options.batchSize) return total;
    }
  }

  /** Stops the timer and waits for the pass in progress. Idempotent. */
  async stop(): Promise<void> {
    this.started = false;
    this.timer?.cancel();
    this.timer = undefined;
    this.soon?.cancel();
    this.soon = undefined;
    await this.running;
  }

  private arm(): void {
    if (!this.started) return;
    if (this.again) {
      this.again = false;
      this.nudge();
      return;
    }
    this.timer = this.deps.clock.setTimer(this.deps.options.intervalMs, () => {
      this.timer = undefined;
      if (!this.running) this.run();
    });
  }

  private async loop(): Promise<void> {
    try {
      for (;;) {
        this.again = false;
        const batch = await this.pass();
        if (!this.started || batch.count < this.deps.options.batchSize) return;
      }
    } catch (err) {
      this.deps.logger.error({ err }, 'sequencing outbox events failed');
    }
  }

  private async pass(): Promise<SequencedBatch> {
    // The gateway's own work: every company's events, whatever scope nudged it.
    const batch = await runAsGateway(() => this.deps.events.sequence(this.deps.options.batchSize));
    if (batch.count > 0) this.deps.onSequenced?.(batch);
    return batch;
  }
}
