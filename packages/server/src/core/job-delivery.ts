import type { PrintJobDelivery } from '@printermaster/protocol';
import type { PrintJobWithContent } from './ports/print-job-store.js';
import type { Printer } from './ports/printer-store.js';

/** The `print:job` payload of a job for its printer; `attempt` counts the sends, from 1. */
export function toDelivery(job: PrintJobWithContent, printer: Printer, attempt: number): PrintJobDelivery {
  return {
    id: job.id,
    printerId: printer.id,
    printerName: printer.name,
    content: Buffer.from(job.content).toString('base64'),
    encoding: 'base64',
    type: job.type,
    priority: job.priority,
    copies: job.copies,
    ...(job.orderData ? { orderData: job.orderData } : {}),
    usefulUntil: job.usefulUntil.toISOString(),
    timestamp: job.createdAt.toISOString(),
    attempt,
    printer: {
      connection: printer.connection,
      ...(printer.ip ? { ip: printer.ip } : {}),
      ...(printer.port ? { port: printer.port } : {}),
      ...(printer.systemName ? { systemName: printer.systemName } : {}),
    },
  };
}
