import type { CreatePrintJobBody } from '@printermaster/protocol';
import { GatewayError } from './gateway-error.js';
import type { AuditLog, RequestOrigin } from './ports/audit-log.js';
import type { PrintJob } from './ports/print-job-store.js';
import { actorOf, type UserPrincipal } from './principal.js';
import type { StationService } from './station-service.js';

/** Records a user's action on a job (cancel, reprint, release) in the audit log; nothing without one. */
export async function auditJobAction(
  audit: AuditLog | undefined,
  user: UserPrincipal,
  action: string,
  job: PrintJob,
  origin: RequestOrigin,
): Promise<void> {
  await audit?.record({
    companyId: job.companyId,
    actor: actorOf(user),
    action,
    targetType: 'print_job',
    targetId: job.id,
    details: { branchId: job.branchId, printerId: job.printerId, reprintOf: job.reprintOf, stationId: job.stationId },
    ...origin,
  });
}

/** Where a new job goes: its printer, or its station's first ready printer (exactly one of them given). */
export async function jobTarget(
  user: UserPrincipal,
  body: Pick<CreatePrintJobBody, 'printerId' | 'stationId'>,
  stations: Pick<StationService, 'printerFor'> | undefined,
): Promise<{ printerId: string; stationId: string | null }> {
  if (body.stationId !== undefined && body.printerId === undefined && stations) {
    return { printerId: await stations.printerFor(user, body.stationId), stationId: body.stationId };
  }
  if (body.printerId !== undefined && body.stationId === undefined)
    return { printerId: body.printerId, stationId: null };
  throw new GatewayError('BAD_REQUEST', {
    message: 'give exactly one of printerId and stationId',
    details: { path: '/printerId' },
  });
}
