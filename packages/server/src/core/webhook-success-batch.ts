import type { ClaimedDelivery, WebhookAttemptOutcome, WebhookStore } from './ports/webhook-store.js';
import { runAsGateway } from './tenant-scope.js';

/** Successes written in one statement at most. */
const MAX_SUCCESSES_PER_WRITE = 256;

interface QueuedSuccess {
  delivery: ClaimedDelivery;
  outcome: WebhookAttemptOutcome;
  resolve: (written: boolean) => void;
  reject: (err: unknown) => void;
}

/**
 * Successful webhook attempts waiting to be written together: one statement for all those queued
 * when `flush` runs (group commit). Answers arrive one by one, so writing each as it comes would
 * cost a write per event, on the embedded store a statement that the print path waits for. Until
 * its write commits a delivery keeps its lease, so a crash meanwhile means another attempt (at
 * least once).
 */
export class WebhookSuccessBatch {
  private readonly queued: QueuedSuccess[] = [];
  private writing = false;

  constructor(
    private readonly store: Pick<WebhookStore, 'recordSuccesses'>,
    private readonly instanceId: string,
    private readonly now: () => number,
  ) {}

  /** A write is running now. */
  get isWriting(): boolean {
    return this.writing;
  }

  /**
   * Queues a success for the next flush. Resolves once written: true, or false when nothing was
   * written because the delivery is no longer held by its claim (deleted with its endpoint,
   * claimed again after the lease ran out, redelivered). Rejects when the write failed.
   */
  add(delivery: ClaimedDelivery, outcome: WebhookAttemptOutcome): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queued.push({ delivery, outcome, resolve, reject });
    });
  }

  /**
   * Writes every queued success, at most MAX_SUCCESSES_PER_WRITE per statement, including those
   * queued while it writes. Returns at once when a flush is already running: that one takes them.
   */
  async flush(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queued.length > 0) {
        const batch = this.queued.splice(0, MAX_SUCCESSES_PER_WRITE);
        try {
          const written = new Set(
            await runAsGateway(() => this.store.recordSuccesses(batch, this.instanceId, this.now())),
          );
          for (const s of batch) s.resolve(written.has(s.delivery.id));
        } catch (err) {
          for (const s of batch) s.reject(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
