import type { JobState } from '@printermaster/protocol';
import { JOB_TRANSITIONS, jobEventActor } from './job-state-machine.js';

/** The transitions that move every due job at once (the sweeps), and not one job by id. */
export type SweepTransitionName = 'expire' | 'giveUpOnOutcome' | 'unconfirmForReplacedAgent';

/** A sweep's move, as the store applies it to every due job (PrintJobStore.expireDue and unconfirmOverdue). */
export interface SweepMove {
  from: readonly JobState[];
  to: JobState;
  actor: string;
  reason: string;
}

/** Plans a sweep: the same rule as one job's move, for every due job. */
export function planSweep(name: SweepTransitionName): SweepMove {
  const rule = JOB_TRANSITIONS[name];
  return { from: rule.from, to: rule.to, actor: jobEventActor({ actor: rule.actor }), reason: rule.reason.set };
}
