import type { Clock, Timer } from './clock.js';
import type { Logger } from './ports/logger.js';

/** One periodic task as the scheduler runs it. */
export interface ScheduledTask {
  /** Stable name for logs, e.g. `job-expiry`. */
  name: string;
  /** Time between the end of one run and the start of the next, ms (> 0). */
  intervalMs: number;
  run(): Promise<void>;
}

/**
 * The gateway's periodic housekeeping on the Clock port. A task's next run is armed when
 * the previous one has finished, so a slow run (a database stall) never overlaps itself;
 * a run that fails is logged and the task keeps its schedule.
 */
export class Scheduler {
  private readonly timers = new Map<string, Timer>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Starts `task`; its first run comes one interval from now. A name may be used once. */
  every(task: ScheduledTask): void {
    if (this.timers.has(task.name)) throw new Error(`task ${task.name} is already scheduled`);
    if (!(task.intervalMs > 0)) throw new Error(`task ${task.name} needs an interval above 0 ms`);
    this.arm(task);
  }

  /** Runs the named task now, outside its schedule (tests, an operator's command). */
  async runNow(task: ScheduledTask): Promise<void> {
    await this.track(task);
  }

  /** Cancels every timer and waits for runs in progress. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    await Promise.all([...this.running]);
  }

  private arm(task: ScheduledTask): void {
    if (this.stopped) return;
    this.timers.set(
      task.name,
      this.clock.setTimer(task.intervalMs, () => {
        void this.track(task).finally(() => this.arm(task));
      }),
    );
  }

  private track(task: ScheduledTask): Promise<void> {
    const run = task
      .run()
      .catch((err: unknown) => this.logger.error({ err, task: task.name }, 'periodic task failed'))
      .finally(() => this.running.delete(run));
    this.running.add(run);
    return run;
  }
}
