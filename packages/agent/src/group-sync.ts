import { fdatasync } from 'node:fs';

interface SyncBatch {
  waiters: { resolve: () => void; reject: (err: Error) => void }[];
  done: boolean;
  error: Error | null;
}

/**
 * Group commit for an append-only file: callers that ask within one event-loop turn share
 * one `fdatasync`, run off the event loop. A sync under way does not hold up the next one
 * (it may have started before the caller's line was written), and callers are released in
 * the order their syncs started, so work becomes visible in the order it was written.
 */
export class GroupSync {
  /** Callers waiting for a sync that has not started yet. */
  private waiting: SyncBatch['waiters'] = [];
  private scheduled = false;
  private inFlight = 0;
  /** Syncs started and not yet released, oldest first. */
  private readonly queue: SyncBatch[] = [];

  /**
   * `fd()` is read when each sync starts (the file may have been swapped meanwhile);
   * `whenIdle` runs after a sync when no other is under way (the moment a file may be swapped).
   */
  constructor(
    private readonly fd: () => number,
    private readonly whenIdle: () => void,
  ) {}

  /** True while a sync is under way or waiting to start. */
  get busy(): boolean {
    return this.inFlight > 0 || this.waiting.length > 0;
  }

  /** Resolves once a sync that started after this call has finished. */
  durable(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => this.start());
      }
    });
  }

  private start(): void {
    this.scheduled = false;
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    const entry: SyncBatch = { waiters: batch, done: false, error: null };
    this.queue.push(entry);
    this.inFlight += 1;
    fdatasync(this.fd(), (syncError) => {
      this.inFlight -= 1;
      entry.done = true;
      entry.error = syncError;
      if (this.inFlight === 0) this.whenIdle();
      while (this.queue[0]?.done) {
        const ready = this.queue.shift() as SyncBatch;
        for (const waiter of ready.waiters) {
          if (ready.error) waiter.reject(ready.error);
          else waiter.resolve();
        }
      }
    });
  }
}
