import type { JobState } from '@printermaster/protocol';
import type { Clock } from './clock.js';
import { GatewayError } from './gateway-error.js';
import type { Broadcaster } from './ports/broadcaster.js';
import type { Logger } from './ports/logger.js';
import type { PrintJob, PrintJobStore, TransitionPatch } from './ports/print-job-store.js';
import type { AgentPrincipal } from './principal.js';
import { toPrintJobView } from './print-job-view.js';

/** What an agent says about a job (through an ack or a `print:job:*` report). */
export type AgentJobOutcome = Extract<JobState, 'accepted' | 'printing' | 'completed' | 'failed' | 'unconfirmed'>;

/**
 * The reason of an `unconfirmed` that the gateway made itself: the job reached an agent, and no
 * report came by its useful-until time plus a grace period. The agent's late report corrects it.
 */
export const OUTCOME_UNKNOWN_REASON = 'delivered to the agent, outcome unknown';

/** The reason of a job that expired before it left the gateway. */
export const EXPIRED_REASON = 'useful-until time passed before the job was sent to an agent';

/**
 * From which states an agent's report may move a job. The agent is the only one who knows
 * whether paper came out, so its report also corrects the gateway's own `unconfirmed`
 * (OUTCOME_UNKNOWN_REASON), and a legacy `expired` of a job that had been sent. An agent's
 * own `unconfirmed` stays final.
 */
const AGENT_FROM: Record<AgentJobOutcome, readonly JobState[]> = {
  accepted: ['sent'],
  printing: ['sent', 'accepted', 'expired'],
  completed: ['sent', 'accepted', 'printing', 'expired', 'unconfirmed'],
  failed: ['sent', 'accepted', 'printing', 'expired', 'unconfirmed'],
  unconfirmed: ['sent', 'accepted', 'printing', 'expired', 'unconfirmed'],
};

/** Observes every state change (metrics). */
export type TransitionListener = (job: PrintJob, from: JobState | undefined) => void;

/**
 * Every job state change goes through here: the conditional update with its
 * event row, then the broadcast to the branch and a log line.
 */
export class JobLifecycle {
  private readonly listeners: TransitionListener[] = [];
  /** The last report of each job still being applied: the next one waits for it. */
  private readonly reportChains = new Map<string, Promise<void>>();

  constructor(
    private readonly jobs: PrintJobStore,
    private readonly broadcaster: Broadcaster,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

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

  /** Moves the job if it is in one of `from`; `undefined` when it was not (nothing changes). */
  async move(
    id: string,
    from: readonly JobState[],
    to: JobState,
    actor: string,
    patch?: TransitionPatch,
  ): Promise<PrintJob | undefined> {
    const moved = await this.jobs.transition(id, from, to, actor, patch);
    if (!moved) return undefined;
    const { job } = moved;
    this.logger.info(
      {
        jobId: id,
        branchId: job.branchId,
        deviceId: job.deviceId ?? undefined,
        state: to,
        actor,
        reason: patch?.reason ?? undefined,
      },
      'print job state changed',
    );
    this.publish(job, moved.from, 'state_changed');
    return job;
  }

  /** Publishes jobs that changed state in bulk elsewhere (expiry). */
  announce(job: PrintJob, from: JobState): void {
    this.logger.info(
      { jobId: job.id, branchId: job.branchId, state: job.state, reason: job.reason ?? undefined },
      'print job state changed',
    );
    this.publish(job, from, 'state_changed');
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
    // No state is in its own AGENT_FROM list, so a repeated report moves nothing.
    // A report that corrects the gateway's "outcome unknown" also replaces its reason (a completed
    // job has none); the history keeps both.
    const moved = await this.move(jobId, AGENT_FROM[outcome], outcome, `agent:${agent.deviceId}`, {
      onlyInBranch: agent.branchId,
      unconfirmedReason: OUTCOME_UNKNOWN_REASON,
      reason:
        outcome === 'failed' || outcome === 'unconfirmed'
          ? (reason ?? outcome)
          : outcome === 'completed'
            ? null
            : undefined,
      completedAt: outcome === 'completed' ? new Date(this.clock.now()) : undefined,
    });
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

  private publish(job: PrintJob, from: JobState | undefined, action: 'created' | 'state_changed'): void {
    for (const l of this.listeners) l(job, from);
    this.broadcaster.jobUpdated({
      action,
      job: toPrintJobView(job),
      ...(from ? { fromState: from } : {}),
      branchId: job.branchId,
      companyId: job.companyId,
      timestamp: new Date(this.clock.now()).toISOString(),
    });
  }
}
