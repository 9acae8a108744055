import { FINAL_JOB_STATES, type JobState } from '@printermaster/protocol';
import { GatewayError } from './gateway-error.js';
import { EXPIRED_REASON, HELD_REASON, OUTCOME_UNKNOWN_REASON, RELEASED_REASON } from './job-reasons.js';
import type { TransitionPatch } from './ports/print-job-store.js';

/**
 * The print job state machine: the states a job can be in, every move between them, and who
 * may make each. Everything that changes a job's state (JobLifecycle, and through it the API,
 * the dispatcher, the agents' reports and the sweeps) plans the move here; the store only
 * applies it, conditionally on the job still being in one of the move's source states.
 *
 * The usual path: `queued` -dispatch-> `sent` -accept-> `accepted` -startPrinting-> `printing`
 * -complete-> `completed`. A job that never left the gateway can be cancelled, expire, or fail
 * because its printer was deleted; once sent, only the agent knows whether paper came out, so
 * the gateway ends it `unconfirmed` at worst, and the agent's report may still correct the
 * gateway's own `unconfirmed` (reason OUTCOME_UNKNOWN_REASON) and a legacy `expired` of a sent
 * job. An `unconfirmed` the agent said itself is final.
 */

/**
 * Who moves jobs: the dispatcher (sends jobs to agents), the hold policy (holds the queued jobs
 * too old to print when an agent could take them), the expiry sweep (ends jobs that waited
 * past their useful-until time without leaving the gateway), the outcome sweep (gives up on the
 * outcome of delivered jobs no report ended within the grace period), printer removal (ends the
 * jobs of a printer found deleted when they were about to be sent), the branch's agent (its
 * acknowledgement or `print:job:*` report, about its own branch's jobs only) and a user (API).
 * The event history records the first four as `gateway`.
 */
export const JOB_ACTORS = [
  'dispatcher',
  'hold-policy',
  'expiry-sweep',
  'outcome-sweep',
  'printer-removal',
  'agent-takeover',
  'agent',
  'user',
] as const;
export type JobActor = (typeof JOB_ACTORS)[number];

/** The state every job is created in. */
export const INITIAL_JOB_STATE = 'queued' satisfies JobState;

/**
 * States the dispatcher (re)sends: `queued` never left the gateway; `sent` went to one agent
 * that has not acknowledged it, and goes to that agent again.
 */
export const DISPATCHABLE_JOB_STATES = ['queued', 'sent'] as const satisfies readonly JobState[];

export { EXPIRED_REASON, HELD_REASON, OUTCOME_UNKNOWN_REASON, RELEASED_REASON };

/**
 * What a move does to the job's `reason`: sets this text (`null` clears it), `keep`s it, or
 * records what the mover `reported` (the target state's name when it gave none).
 */
export type ReasonRule = { set: string | null } | 'keep' | 'reported';

export interface JobTransitionRule {
  actor: JobActor;
  /** The states the move may leave; the store moves the job only if it is still in one. */
  from: readonly JobState[];
  to: JobState;
  reason: ReasonRule;
  /**
   * When `from` holds `unconfirmed`: only an `unconfirmed` with this reason may be left. The
   * gateway's own "outcome unknown" can be corrected; an agent's `unconfirmed` cannot.
   */
  unconfirmedOnlyWithReason?: string;
  /**
   * Hands the job to one agent: records the agent's device (later re-sends go to it only), counts
   * an attempt, and happens only while the agent's licence is active.
   */
  delivers?: true;
}

/** Where an agent's report that a job ended may come from. */
const AGENT_ENDS_FROM = ['sent', 'accepted', 'printing', 'expired', 'unconfirmed'] as const;

/** Every move a job can make. Nothing else changes a job's state. */
export const JOB_TRANSITIONS = {
  dispatch: { actor: 'dispatcher', from: ['queued'], to: 'sent', reason: 'keep', delivers: true },
  /** A queued job older than its type's hold age when an agent could take it (docs/api.md#held-jobs). */
  hold: { actor: 'hold-policy', from: ['queued'], to: 'held', reason: { set: HELD_REASON } },
  release: { actor: 'user', from: ['held'], to: 'queued', reason: { set: RELEASED_REASON } },
  /** A job the agent has not acknowledged goes to the same agent again (it may hold it already). */
  resend: {
    actor: 'dispatcher',
    from: ['sent'],
    to: 'sent',
    reason: { set: 're-sent to the same agent' },
    delivers: true,
  },
  expire: { actor: 'expiry-sweep', from: ['queued'], to: 'expired', reason: { set: EXPIRED_REASON } },
  /** Never `expired`: a job that left the gateway may have printed. */
  giveUpOnOutcome: {
    actor: 'outcome-sweep',
    from: ['sent', 'accepted', 'printing'],
    to: 'unconfirmed',
    reason: { set: OUTCOME_UNKNOWN_REASON },
  },
  /** Only a job that never left the gateway is certainly unprinted. */
  failForDeletedPrinter: {
    actor: 'printer-removal',
    from: ['queued'],
    to: 'failed',
    reason: { set: 'the printer was deleted before the job was printed' },
  },
  /**
   * The branch's standby agent took over from the active one (agent-leases.ts): what the replaced
   * agent held may have printed. Its late report still corrects this `unconfirmed`.
   */
  unconfirmForReplacedAgent: {
    actor: 'agent-takeover',
    from: ['sent', 'accepted', 'printing'],
    to: 'unconfirmed',
    reason: { set: OUTCOME_UNKNOWN_REASON },
  },
  unconfirmForDeletedPrinter: {
    actor: 'printer-removal',
    from: ['sent'],
    to: 'unconfirmed',
    reason: { set: OUTCOME_UNKNOWN_REASON },
  },
  /** The agent's acknowledgement said it will not take the job (it never reached its journal). */
  refuse: { actor: 'agent', from: ['sent'], to: 'failed', reason: 'reported' },
  accept: { actor: 'agent', from: ['sent'], to: 'accepted', reason: 'keep' },
  startPrinting: { actor: 'agent', from: ['sent', 'accepted', 'expired'], to: 'printing', reason: 'keep' },
  complete: {
    actor: 'agent',
    from: AGENT_ENDS_FROM,
    to: 'completed',
    reason: { set: null },
    unconfirmedOnlyWithReason: OUTCOME_UNKNOWN_REASON,
  },
  fail: {
    actor: 'agent',
    from: AGENT_ENDS_FROM,
    to: 'failed',
    reason: 'reported',
    unconfirmedOnlyWithReason: OUTCOME_UNKNOWN_REASON,
  },
  reportUnconfirmed: {
    actor: 'agent',
    from: AGENT_ENDS_FROM,
    to: 'unconfirmed',
    reason: 'reported',
    unconfirmedOnlyWithReason: OUTCOME_UNKNOWN_REASON,
  },
  cancel: { actor: 'user', from: ['queued', 'held'], to: 'cancelled', reason: { set: 'cancelled through the API' } },
} as const satisfies Record<string, JobTransitionRule>;

export type JobTransitionName = keyof typeof JOB_TRANSITIONS;

/** What an agent says about a job (through an ack or a `print:job:*` report). */
export type AgentJobOutcome = Extract<JobState, 'accepted' | 'printing' | 'completed' | 'failed' | 'unconfirmed'>;

/** The move each agent report makes. */
export const AGENT_REPORT_TRANSITIONS = {
  accepted: 'accept',
  printing: 'startPrinting',
  completed: 'complete',
  failed: 'fail',
  unconfirmed: 'reportUnconfirmed',
} as const satisfies Record<AgentJobOutcome, JobTransitionName>;

/** Who is moving a job, with what the history and the guards need to know about them. */
export type JobMover =
  | { actor: 'dispatcher' }
  | { actor: 'hold-policy' }
  | { actor: 'expiry-sweep' }
  | { actor: 'outcome-sweep' }
  | { actor: 'printer-removal' }
  | { actor: 'agent-takeover' }
  | { actor: 'agent'; deviceId: string; branchId: string }
  | { actor: 'user'; userId: string };

/** The mover a transition accepts. */
export type JobMoverFor<N extends JobTransitionName> = Extract<
  JobMover,
  { actor: (typeof JOB_TRANSITIONS)[N]['actor'] }
>;

export interface JobMoveDetails {
  /**
   * The state the mover read the job in: the move then leaves only that state (one of the
   * transition's sources), so a job another process moved meanwhile is left alone.
   */
  observed?: JobState;
  /** The mover's own reason, for transitions that record a `reported` one. */
  reason?: string;
  /** The agent receiving the job, for transitions that deliver. */
  agent?: { deviceId: string; licenseId: string };
  /** When the move happens; stamps `completedAt` on `completed`. */
  now: Date;
}

/** A planned move, as the store applies it (PrintJobStore.transition). */
export interface JobMove {
  id: string;
  from: readonly JobState[];
  to: JobState;
  /** As the event history records it: `gateway`, `agent:<deviceId>` or `user:<userId>`. */
  actor: string;
  patch: TransitionPatch;
}

const RULES: Readonly<Record<JobTransitionName, JobTransitionRule>> = JOB_TRANSITIONS;

/** How the event history names a mover. */
export function jobEventActor(mover: JobMover): string {
  if (mover.actor === 'agent') return `agent:${mover.deviceId}`;
  if (mover.actor === 'user') return `user:${mover.userId}`;
  return 'gateway';
}

/**
 * Plans the transition `name` of job `id` by `mover`.
 * @throws GatewayError `INTERNAL` when the mover may not make this transition, `observed` is
 * not one of its sources, or a delivering transition names no agent (bugs of the caller).
 */
export function planJobMove<N extends JobTransitionName>(
  name: N,
  id: string,
  mover: JobMoverFor<N>,
  details: JobMoveDetails,
): JobMove {
  const rule = RULES[name];
  // The type already ties the mover to the transition; callers without types are checked here.
  const who: JobMover = mover;
  if (who.actor !== rule.actor) throw misuse(`the ${who.actor} may not make the ${name} transition`);
  if (details.observed !== undefined && !rule.from.includes(details.observed)) {
    throw misuse(`the ${name} transition does not leave ${details.observed}`);
  }
  const patch: TransitionPatch = {};
  if (who.actor === 'agent') patch.onlyInBranch = who.branchId;
  if (rule.unconfirmedOnlyWithReason !== undefined) patch.unconfirmedReason = rule.unconfirmedOnlyWithReason;
  if (rule.reason === 'reported') patch.reason = details.reason ?? rule.to;
  else if (rule.reason !== 'keep') patch.reason = rule.reason.set;
  if (rule.delivers) {
    if (!details.agent) throw misuse(`the ${name} transition needs the receiving agent`);
    patch.deviceId = details.agent.deviceId;
    patch.onlyWithActiveLicence = details.agent.licenseId;
    patch.incrementAttempts = true;
  }
  if (rule.to === 'completed') patch.completedAt = details.now;
  return {
    id,
    from: details.observed !== undefined ? [details.observed] : rule.from,
    to: rule.to,
    actor: jobEventActor(who),
    patch,
  };
}

/**
 * Whether `actor` may move a job from `from` to `to`. `reason` is the job's current reason,
 * which decides whether an `unconfirmed` job may be corrected.
 */
export function canMoveJob(actor: JobActor, from: JobState, to: JobState, reason?: string | null): boolean {
  return jobTransitionsFrom(actor, from, reason).some((name) => RULES[name].to === to);
}

/** The transitions `actor` may make from `from` (with the job's `reason`), in table order. */
export function jobTransitionsFrom(actor: JobActor, from: JobState, reason?: string | null): JobTransitionName[] {
  return (Object.keys(RULES) as JobTransitionName[]).filter((name) => {
    const rule = RULES[name];
    return rule.actor === actor && leaves(rule, from, reason);
  });
}

/**
 * The one transition `actor` can make from `from`, for actors whose move follows from the state
 * alone (the dispatcher: dispatch or resend; printer removal: fail or unconfirm); `undefined`
 * when there is none.
 * @throws GatewayError `INTERNAL` when the actor has a choice (the table grew ambiguous).
 */
export function onlyJobTransition(actor: JobActor, from: JobState): JobTransitionName | undefined {
  const names = jobTransitionsFrom(actor, from);
  if (names.length > 1) throw misuse(`the ${actor} has more than one transition from ${from}`);
  return names[0];
}

/** A reprint is a new job made from an ended one (a final state); a job still under way cannot be reprinted. */
export function canReprint(state: JobState): boolean {
  return FINAL_JOB_STATES.includes(state);
}

function leaves(rule: JobTransitionRule, from: JobState, reason: string | null | undefined): boolean {
  if (!rule.from.includes(from)) return false;
  if (from !== 'unconfirmed' || rule.unconfirmedOnlyWithReason === undefined) return true;
  return reason === rule.unconfirmedOnlyWithReason;
}

function misuse(message: string): GatewayError {
  return new GatewayError('INTERNAL', { message });
}
