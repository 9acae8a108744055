import type { PrintJobDelivery, PrintJobDeliveryAck } from '@printermaster/protocol';
import type { AgentLogger } from './agent-logger.js';
import type { Journal } from './journal.js';
import type { PrintQueues } from './print-queues.js';
import type { PrinterRegistry } from './printer-registry.js';

export interface JobIntakeDeps {
  journal: Journal;
  printers: Pick<PrinterRegistry, 'driverFor'>;
  queues: Pick<PrintQueues, 'enqueue'>;
  logger: AgentLogger;
}

/**
 * Takes print jobs into the journal and hands them to their printer's queue: a delivered job
 * is on disk before the gateway hears "accepted", a job the journal already knows is never
 * printed again, and after a restart the journal's open jobs are resumed or settled.
 */
export class JobIntake {
  constructor(private readonly deps: JobIntakeDeps) {}

  /** After a restart: jobs cut off while printing are unconfirmed; accepted ones are printed. */
  async resume(): Promise<void> {
    const { journal, logger } = this.deps;
    for (const job of journal.jobs()) {
      if (job.state === 'printing') {
        await journal.transition(job.id, 'unconfirmed', 'the agent stopped while this job was printing');
        logger.warn({ jobId: job.id }, 'print job unconfirmed after restart');
      }
    }
    const accepted = journal.jobs().filter((j) => j.state === 'accepted');
    accepted.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
    for (const job of accepted) {
      const driver = this.deps.printers.driverFor(job.printerId, job.printerName, job.printer);
      if (driver) this.deps.queues.enqueue(driver, job.id);
      else await journal.transition(job.id, 'failed', `this agent has no printer "${job.printerName}"`);
    }
    if (accepted.length > 0) logger.info({ count: accepted.length }, 'resuming accepted jobs from the journal');
  }

  /**
   * A delivered job (its payload already checked): journaled first, then answered with its
   * state in the journal. A known job is answered with the state it has and not printed again.
   */
  async receive(job: PrintJobDelivery): Promise<PrintJobDeliveryAck> {
    const { journal, logger } = this.deps;
    const known = journal.get(job.id);
    if (known) {
      // The first delivery's line may still be on its way to disk; answer once it is there.
      await journal.flushed();
      // A job accepted before a failed sync was never queued; the re-delivery queues it (once).
      if (known.state === 'accepted') {
        const driver = this.deps.printers.driverFor(known.printerId, known.printerName, known.printer);
        if (driver) this.deps.queues.enqueue(driver, known.id);
      }
      logger.info({ jobId: job.id, state: known.state }, 'duplicate print job delivery; acknowledged with its state');
      return {
        ok: true,
        data: { jobId: job.id, state: known.state, ...(known.reason ? { reason: known.reason } : {}) },
      };
    }
    // Sent before (possibly to this agent) and created before the journal lost entries: it may have printed.
    const damage = (job.attempt ?? 2) > 1 ? journal.damageSince(job.timestamp) : undefined;
    if (damage) {
      const reason = `the agent journal was damaged (${damage.at}) after this job was created; it may have printed before`;
      await journal.recordLost(job.id, job.printerId, reason);
      logger.warn({ jobId: job.id, damagedAt: damage.at }, 'print job unknown after journal damage; unconfirmed');
      return { ok: true, data: { jobId: job.id, state: 'unconfirmed', reason } };
    }
    const driver = this.deps.printers.driverFor(job.printerId, job.printerName, job.printer);
    if (!driver) {
      return {
        ok: false,
        error: { code: 'PRINTER_NOT_FOUND', message: `this agent has no printer "${job.printerName}"` },
      };
    }
    await journal.accept({
      id: job.id,
      printerId: job.printerId,
      printerName: job.printerName,
      content: job.content,
      type: job.type,
      priority: job.priority,
      copies: job.copies,
      usefulUntil: job.usefulUntil,
      printer: job.printer,
    });
    logger.info(
      { jobId: job.id, printer: driver.uri, byteLength: Buffer.byteLength(job.content, 'base64') },
      'print job accepted',
    );
    this.deps.queues.enqueue(driver, job.id);
    return { ok: true, data: { jobId: job.id, state: 'accepted' } };
  }
}
