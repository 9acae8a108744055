import type { PrinterStatus, PrinterStatusReason } from '@printermaster/protocol';
import type { AgentLogger } from './agent-logger.js';
import type { Journal } from './journal.js';
import { PrintQueue } from './print-queue.js';
import type { PrinterDriver } from './printer-driver.js';

export interface PrintQueuesDeps {
  journal: Journal;
  logger: AgentLogger;
  now: () => number;
  /** Printer-not-ready backoff: first wait and cap, ms. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** A job started printing or reached a final state: there is a report to send. */
  onReport: () => void;
  /** A print saw its printer's status change. */
  onPrinterStatus: (driver: PrinterDriver, status: PrinterStatus, reason?: string, code?: PrinterStatusReason) => void;
}

/** One print queue per printer (per driver URI), made when the printer gets its first job. */
export class PrintQueues {
  private readonly queues = new Map<string, PrintQueue>();

  constructor(private readonly deps: PrintQueuesDeps) {}

  /** The driver of the queue printing to `uri`, if there is one. */
  driverAt(uri: string): PrinterDriver | undefined {
    return this.queues.get(uri)?.driver;
  }

  /** Queues an `accepted` job of the journal for `driver`'s printer (once, however often it is called). */
  enqueue(driver: PrinterDriver, jobId: string): void {
    let queue = this.queues.get(driver.uri);
    if (!queue) {
      const { deps } = this;
      queue = new PrintQueue({
        driver,
        journal: deps.journal,
        logger: deps.logger,
        retryBaseMs: deps.retryBaseMs,
        retryMaxMs: deps.retryMaxMs,
        now: deps.now,
        onReport: deps.onReport,
        onPrinterStatus: (status, reason, code) => deps.onPrinterStatus(driver, status, reason, code),
      });
      this.queues.set(driver.uri, queue);
    }
    queue.enqueue(jobId);
  }

  /** Stops every queue after the job it is printing; queued jobs stay `accepted` in the journal. */
  async stop(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.stop()));
  }
}
