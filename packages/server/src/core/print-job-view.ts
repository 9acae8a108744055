import type { PrintJobView } from '@printermaster/protocol';
import type { PrintJob, PrintJobEvent } from './ports/print-job-store.js';

export function toPrintJobView(job: PrintJob, events?: PrintJobEvent[]): PrintJobView {
  const view: PrintJobView = {
    id: job.id,
    companyId: job.companyId,
    branchId: job.branchId,
    printerId: job.printerId,
    state: job.state,
    type: job.type,
    priority: job.priority,
    copies: job.copies,
    byteLength: job.byteLength,
    attempts: job.attempts,
    usefulUntil: job.usefulUntil.toISOString(),
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
  };
  if (job.reprintOf) view.reprintOf = job.reprintOf;
  if (job.stationId) view.stationId = job.stationId;
  if (job.idempotencyKey) view.idempotencyKey = job.idempotencyKey;
  if (job.deviceId) view.deviceId = job.deviceId;
  if (job.reason) view.reason = job.reason;
  if (job.completedAt) view.completedAt = job.completedAt.toISOString();
  if (events) {
    view.events = events.map((e) => ({
      state: e.toState,
      ...(e.fromState ? { fromState: e.fromState } : {}),
      actor: e.actor,
      ...(e.reason ? { reason: e.reason } : {}),
      timestamp: e.createdAt.toISOString(),
    }));
  }
  return view;
}
