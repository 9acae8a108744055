import type { JobType } from '@printermaster/protocol';
import { RELEASED_REASON } from './job-state-machine.js';
import type { PrintJob } from './ports/print-job-store.js';

/** Per job type, the age (ms since creation) past which a job not yet sent is held; 0 or absent: never. */
export type HoldAfter = Partial<Record<JobType, number>>;

/**
 * Whether a job is held instead of sent when an agent could take it now (docs/api.md#held-jobs):
 * it is `queued`, its type has a hold age and it is at least that old (`now`, Unix ms), and no
 * person released it already (a released job is sent whatever its age).
 */
export function tooOldToPrint(
  job: Pick<PrintJob, 'state' | 'type' | 'reason' | 'createdAt'>,
  holdAfter: HoldAfter,
  now: number,
): boolean {
  const after = holdAfter[job.type] ?? 0;
  if (job.state !== 'queued' || after <= 0 || job.reason === RELEASED_REASON) return false;
  return now - job.createdAt.getTime() >= after;
}
