import type { PrinterStatus, PrinterStatusReason } from '@printermaster/protocol';
import type { AgentLogger } from './agent-logger.js';
import { backoffDelay, sleep } from './backoff.js';
import type { Journal, JournalJob } from './journal.js';
import type { PrinterDriver } from './printer-driver.js';

export interface PrintQueueDeps {
  driver: PrinterDriver;
  journal: Journal;
  logger: AgentLogger;
  /** First wait when the printer is not ready, ms; doubles up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  now: () => number;
  /** The printer's status changed while waiting or printing (reported to the gateway). */
  onPrinterStatus: (status: PrinterStatus, reason?: string, code?: PrinterStatusReason) => void;
  /** A job reached a final state or started printing: there is a report to send. */
  onReport: () => void;
}

/**
 * One printer's jobs, printed one at a time in arrival order. A job waits
 * while its printer is not ready, retrying with backoff, but never past its
 * useful-until time: then it fails unprinted. "printing" is journaled right
 * before the first byte; a job that may have reached the printer is never
 * printed again (it becomes `unconfirmed`).
 */
export class PrintQueue {
  private readonly pending: string[] = [];
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();

  readonly driver: PrinterDriver;
  private readonly journal: Journal;
  private readonly logger: AgentLogger;

  constructor(private readonly options: PrintQueueDeps) {
    this.driver = options.driver;
    this.journal = options.journal;
    this.logger = options.logger;
  }

  get length(): number {
    return this.pending.length;
  }

  enqueue(jobId: string): void {
    if (!this.pending.includes(jobId)) this.pending.push(jobId);
    this.kick();
  }

  private kick(): void {
    if (this.running || this.abort.signal.aborted) return;
    this.running = this.drain()
      .catch((err: unknown) => {
        // The journal could not record a step (disk error): the job stays as journaled and is
        // retried with the next enqueue or restart; the agent keeps running.
        this.logger.error({ err: (err as Error).message }, 'print queue stopped on a journal error');
        this.pending.shift();
      })
      .finally(() => {
        this.running = undefined;
        // A job enqueued while the drain was finishing.
        if (this.pending.length > 0) this.kick();
      });
  }

  /** Stops after the job being printed (if any); queued jobs stay `accepted` in the journal. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    this.driver.release?.();
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 && !this.abort.signal.aborted) {
      const id = this.pending[0] as string;
      const job = this.journal.get(id);
      if (job && job.state === 'accepted') await this.printOne(job);
      this.pending.shift();
    }
    if (this.pending.length === 0) this.driver.release?.();
  }

  private async printOne(job: JournalJob): Promise<void> {
    const log = { jobId: job.id, printer: this.driver.uri };
    const bytes = repeat(Buffer.from(job.content, 'base64'), job.copies);
    for (let attempt = 0; !this.abort.signal.aborted; attempt++) {
      const deadline = Date.parse(job.usefulUntil);
      if (this.options.now() >= deadline) {
        await this.finish(job, 'failed', 'useful-until time passed before the printer was ready; not printed');
        this.logger.warn(log, 'print job expired before printing');
        return;
      }
      // The driver asks the printer's status itself before the first byte: not ready is `not-started`.
      const started = this.options.now();
      let begun = false;
      const result = await this.driver.print(bytes, async () => {
        begun = true;
        await this.journal.transition(job.id, 'printing');
        this.options.onReport();
      });
      if (result.outcome === 'completed') {
        await this.finish(job, 'completed', undefined, this.options.now() - started);
        this.options.onPrinterStatus('online', undefined, result.code);
        this.logger.info(
          { ...log, byteLength: bytes.byteLength, durationMs: this.options.now() - started },
          'print job completed',
        );
        return;
      }
      if (result.outcome === 'unconfirmed' || (begun && result.outcome === 'not-started')) {
        await this.finish(job, 'unconfirmed', result.reason);
        this.logger.warn({ ...log, reason: result.reason }, 'print job unconfirmed');
        return;
      }
      if (result.outcome === 'failed') {
        await this.finish(job, 'failed', result.reason);
        this.logger.warn({ ...log, reason: result.reason }, 'print job failed');
        return;
      }
      this.options.onPrinterStatus(result.status, result.reason, result.code);
      const wait = Math.min(
        backoffDelay(attempt, this.options.retryBaseMs, this.options.retryMaxMs),
        Math.max(0, deadline - this.options.now()),
      );
      this.logger.info({ ...log, attempt, waitMs: wait }, 'printer not ready; job waits');
      await sleep(wait, this.abort.signal);
    }
  }

  private async finish(
    job: JournalJob,
    state: 'completed' | 'failed' | 'unconfirmed',
    reason: string | undefined,
    durationMs?: number,
  ): Promise<void> {
    await this.journal.transition(job.id, state, reason, durationMs);
    this.options.onReport();
  }
}

function repeat(bytes: Uint8Array, copies: number): Uint8Array {
  if (copies <= 1) return bytes;
  const out = new Uint8Array(bytes.byteLength * copies);
  for (let i = 0; i < copies; i++) out.set(bytes, i * bytes.byteLength);
  return out;
}
