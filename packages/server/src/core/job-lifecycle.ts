import { isoTime, type JobState } from '@printermaster/protocol';
import type { Clock } from './clock.js';
import { GatewayError } from './gateway-error.js';
import {
  AGENT_REPORT_TRANSITIONS,
  type AgentJobOutcome,
  type JobMoveDetails,
  type JobMoverFor,
  type JobTransitionName,
  planJobMove,
} from './job-state-machine.js';
import { planSweep, type SweepTransitionName } from './job-sweeps.js';
import type { Broadcaster } from './ports/broadcaster.js';
import type { Logger } from './ports/logger.js';
import type { PrintJob, PrintJobStore } from './ports/print-job-store.js';
import type { AgentPrincipal } from './principal.js';
import { toPrintJobView } from './print-job-view.js';

/** Observes every state change (metrics). */
export type TransitionListener = (job: PrintJob, from: JobState | undefined) => void;

export interface JobLifecycleDeps {
  jobs: PrintJobStore;
  broadcaster: Broadcaster;
  clock: Clock;
  logger: Logger;
}

/**
 * Every job state change goes through here: the move the state machine plans
 * (job-state-machine.ts), applied by the store as one conditional update with its event row,
 * then the broadcast to the branch and a log line.
 */
export class JobLifecycle {
  private readonly jobs: PrintJobStore;
  private readonly broadcaster: Broadcaster;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly listeners: TransitionListener[] = [];
  /** The last report of each job still being applied: the next one waits for it. */
  private readonly reportChains = new Map<string, Promise<void>>();

  constructor(deps: JobLifecycleDeps) {
    this.jobs = deps.jobs;
    this.broadcaster = deps.broadcaster;
    this.clock = deps.clock;
    this.logger = deps.logger;
  }

  onTransition(listener: TransitionListener): void {
    this.listeners.push(listener);
  }

  /** Announces a newly stored job. */
  created(job: PrintJob): void {
    this.logger.info(
      { jobId: job.id, branchId: job.branchId, printerId: job.printerId, byteLength: job.byteLength },
      'print job queued',
    );
    this.publish(job, undefined, 'created');
  }

  /**
   * Makes the transition `name` of job `id`, by `mover`, if the job is in one of its source
   * states (`details.observed` narrows them to the state the mover read); `undefined` when it
   * was not, and nothing changed.
   * @throws GatewayError `INTERNAL` when the mover may not make the transition.
   */
  async transition<N extends JobTransitionName>(
    name: N,
    id: string,
    mover: JobMoverFor<N>,
    details: Omit<JobMoveDetails, 'now'> = {},
  ): Promise<PrintJob | undefined> {
    const move = planJobMove(name, id, mover, { ...details, now: new Date(this.clock.now()) });
    const moved = await this.jobs.transition(move.id, move.from, move.to, move.actor, move.patch);
    if (!moved) return undefined;
    this.changed(moved.job, moved.from, move.actor);
    return moved.job;
  }

  /**
   * Makes a sweep's transition of every job due (useful-until before `usefulUntilBefore`), up to
   * `limit` of them; returns how many moved.
   */
  async sweep(name: SweepTransitionName, usefulUntilBefore: Date, limit: number): Promise<number> {
    const { actor, reason } = planSweep(name);
    // Expiry has one source state, so the store's answer leaves it out.
    const moved =
      name === 'expire'
        ? (await this.jobs.expireDue(usefulUntilBefore, reason, limit)).map((job) => ({ job, from: 'queued' as const }))
        : await this.jobs.unconfirmOverdue(usefulUntilBefore, reason, limit);
    for (const { job, from } of moved) this.changed(job, from, actor);
    return moved.length;
  }

  /**
   * The branch's standby agent took over from `deviceId` (agent-leases.ts): every job that agent
   * was sent and has not ended becomes `unconfirmed` (it may have printed; it is never sent again).
   */
  async unconfirmReplaced(branchId: string, deviceId: string): Promise<number> {
    const { actor, reason } = planSweep('unconfirmForReplacedAgent');
    let total = 0;
    for (;;) {
      const moved = await this.jobs.unconfirmForDevice(branchId, deviceId, reason, 500);
      for (const { job, from } of moved) this.changed(job, from, actor);
      total += moved.length;
      if (moved.length < 500) return total;
    }
  }

  /**
   * Records what an agent says about a job of its branch. Idempotent: a repeated
   * report, or one that arrives after the job already ended, changes nothing and
   * returns the job's current state.
   */
  applyAgentReport(
    agent: Pick<AgentPrincipal, 'deviceId' | 'branchId'>,
    jobId: string,
    outcome: AgentJobOutcome,
    reason?: string,
  ): Promise<PrintJob> {
    // One job's reports are applied one after another, in the order they arrived.
    const prior = this.reportChains.get(jobId);
    const run = prior
      ? prior.then(() => this.applyReportNow(agent, jobId, outcome, reason))
      : this.applyReportNow(agent, jobId, outcome, reason);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.reportChains.set(jobId, tail);
    void tail.then(() => {
      if (this.reportChains.get(jobId) === tail) this.reportChains.delete(jobId);
    });
    return run;
  }

  private async applyReportNow(
    agent: Pick<AgentPrincipal, 'deviceId' | 'branchId'>,
    jobId: string,
    outcome: AgentJobOutcome,
    reason?: string,
  ): Promise<PrintJob> {
    // The move comes first and checks the branch itself: the usual report is one statement.
    // A repeated report moves nothing: no report's transition leaves the state it enters, except
    // the gateway's own `unconfirmed`, which the first report replaced.
    const moved = await this.transition(
      AGENT_REPORT_TRANSITIONS[outcome],
      jobId,
      { actor: 'agent', deviceId: agent.deviceId, branchId: agent.branchId },
      { reason },
    );
    if (moved) return moved;
    const latest = await this.jobs.find(jobId);
    if (!latest || latest.branchId !== agent.branchId) throw new GatewayError('JOB_NOT_FOUND');
    if (latest.state !== outcome) {
      this.logger.warn(
        { jobId, deviceId: agent.deviceId, branchId: agent.branchId, state: latest.state, reported: outcome },
        'agent report ignored: job already in another state',
      );
    }
    return latest;
  }

  private changed(job: PrintJob, from: JobState, actor: string): void {
    this.logger.info(
      {
        jobId: job.id,
        branchId: job.branchId,
        deviceId: job.deviceId ?? undefined,
        state: job.state,
        from,
        actor,
        reason: job.reason ?? undefined,
      },
      'print job state changed',
    );
    this.publish(job, from, 'state_changed');
  }

  private publish(job: PrintJob, from: JobState | undefined, action: 'created' | 'state_changed'): void {
    for (const l of this.listeners) l(job, from);
    this.broadcaster.jobUpdated({
      action,
      job: toPrintJobView(job),
      ...(from ? { fromState: from } : {}),
      branchId: job.branchId,
      companyId: job.companyId,
      timestamp: isoTime(this.clock.now()),
    });
  }
}
