import { FINAL_JOB_STATES, JOB_STATES, type JobState } from '@printermaster/protocol';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/core/gateway-error.js';
import {
  AGENT_REPORT_TRANSITIONS,
  canMoveJob,
  canReprint,
  DISPATCHABLE_JOB_STATES,
  EXPIRED_REASON,
  HELD_REASON,
  JOB_ACTORS,
  JOB_TRANSITIONS,
  type JobActor,
  type JobMover,
  jobTransitionsFrom,
  OUTCOME_UNKNOWN_REASON,
  onlyJobTransition,
  planJobMove,
  RELEASED_REASON,
} from '../../src/core/job-state-machine.js';
import { planSweep } from '../../src/core/job-sweeps.js';

/**
 * Every move each actor may make, written out by hand (not read from the table under test).
 * `unconfirmed` here is the gateway's own (reason OUTCOME_UNKNOWN_REASON).
 */
const ALLOWED: Record<JobActor, string[]> = {
  dispatcher: ['queued>sent', 'sent>sent'],
  'hold-policy': ['queued>held'],
  'expiry-sweep': ['queued>expired'],
  'outcome-sweep': ['sent>unconfirmed', 'accepted>unconfirmed', 'printing>unconfirmed'],
  'printer-removal': ['queued>failed', 'sent>unconfirmed'],
  'agent-takeover': ['sent>unconfirmed', 'accepted>unconfirmed', 'printing>unconfirmed'],
  agent: [
    'sent>accepted',
    'sent>printing',
    'accepted>printing',
    'expired>printing',
    ...['sent', 'accepted', 'printing', 'expired', 'unconfirmed'].flatMap((from) =>
      ['completed', 'failed', 'unconfirmed'].map((to) => `${from}>${to}`),
    ),
  ],
  user: ['queued>cancelled', 'held>cancelled', 'held>queued'],
};

const NOW = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));

describe('the print job state machine', () => {
  it.each(JOB_ACTORS)('lets the %s make exactly its own moves and refuses every other', (actor) => {
    const allowed: string[] = [];
    for (const from of JOB_STATES) {
      for (const to of JOB_STATES) {
        const reason = from === 'unconfirmed' ? OUTCOME_UNKNOWN_REASON : null;
        if (canMoveJob(actor, from, to, reason)) allowed.push(`${from}>${to}`);
      }
    }
    expect(allowed.sort()).toEqual([...ALLOWED[actor]].sort());
  });

  it('keeps an unconfirmed the agent said itself final, for every actor', () => {
    for (const actor of JOB_ACTORS) {
      for (const to of JOB_STATES) {
        expect(canMoveJob(actor, 'unconfirmed', to, 'printer connection dropped mid-ticket'), `${actor} >${to}`).toBe(
          false,
        );
      }
    }
  });

  it('lets nothing but an agent report leave a final state, and the agent only expired and the gateway’s unconfirmed', () => {
    for (const from of FINAL_JOB_STATES) {
      for (const actor of JOB_ACTORS) {
        const names = jobTransitionsFrom(actor, from, OUTCOME_UNKNOWN_REASON);
        const expected = actor === 'agent' && (from === 'expired' || from === 'unconfirmed');
        expect(names.length > 0, `${actor} from ${from}`).toBe(expected);
      }
    }
  });

  it('dispatches exactly the states the dispatcher can leave', () => {
    const leaving = JOB_STATES.filter((s) => jobTransitionsFrom('dispatcher', s).length > 0);
    expect(leaving).toEqual([...DISPATCHABLE_JOB_STATES]);
  });

  it('gives the dispatcher and printer removal one move per state, decided by the state alone', () => {
    expect(JOB_STATES.map((s) => [s, onlyJobTransition('dispatcher', s)])).toEqual(
      JOB_STATES.map((s) => [s, s === 'queued' ? 'dispatch' : s === 'sent' ? 'resend' : undefined]),
    );
    expect(onlyJobTransition('printer-removal', 'queued')).toBe('failForDeletedPrinter');
    expect(onlyJobTransition('printer-removal', 'sent')).toBe('unconfirmForDeletedPrinter');
    expect(onlyJobTransition('printer-removal', 'accepted')).toBeUndefined();
  });

  it('maps each agent report to a move by the agent into the reported state', () => {
    for (const [outcome, name] of Object.entries(AGENT_REPORT_TRANSITIONS)) {
      expect(JOB_TRANSITIONS[name]).toMatchObject({ actor: 'agent', to: outcome });
    }
  });

  it('reprints only a job that has ended', () => {
    const reprintable = JOB_STATES.filter(canReprint);
    expect(reprintable.sort()).toEqual(['cancelled', 'completed', 'expired', 'failed', 'unconfirmed']);
  });
});

describe('planning a move for the store', () => {
  const agent = { actor: 'agent', deviceId: 'dev-1', branchId: 'branch-1' } as const;
  const receiver = { deviceId: 'dev-1', licenseId: 'lic-1' };

  it('marks a queued job sent to one agent: its device, an attempt, only while its licence is active', () => {
    expect(
      planJobMove('dispatch', 'job-1', { actor: 'dispatcher' }, { observed: 'queued', agent: receiver, now: NOW }),
    ).toEqual({
      id: 'job-1',
      from: ['queued'],
      to: 'sent',
      actor: 'gateway',
      patch: { deviceId: 'dev-1', onlyWithActiveLicence: 'lic-1', incrementAttempts: true },
    });
    expect(
      planJobMove('resend', 'job-1', { actor: 'dispatcher' }, { observed: 'sent', agent: receiver, now: NOW }).patch,
    ).toEqual({
      deviceId: 'dev-1',
      onlyWithActiveLicence: 'lic-1',
      incrementAttempts: true,
      reason: 're-sent to the same agent',
    });
  });

  it('moves an agent’s report only within its branch, correcting only the gateway’s own unconfirmed', () => {
    expect(planJobMove('complete', 'job-1', agent, { reason: 'ignored', now: NOW })).toEqual({
      id: 'job-1',
      from: ['sent', 'accepted', 'printing', 'expired', 'unconfirmed'],
      to: 'completed',
      actor: 'agent:dev-1',
      patch: { onlyInBranch: 'branch-1', unconfirmedReason: OUTCOME_UNKNOWN_REASON, reason: null, completedAt: NOW },
    });
    expect(planJobMove('fail', 'job-1', agent, { reason: 'paper out', now: NOW }).patch.reason).toBe('paper out');
    expect(planJobMove('fail', 'job-1', agent, { now: NOW }).patch.reason).toBe('failed');
    expect(planJobMove('reportUnconfirmed', 'job-1', agent, { now: NOW }).patch.reason).toBe('unconfirmed');
    expect(planJobMove('accept', 'job-1', agent, { now: NOW })).toEqual({
      id: 'job-1',
      from: ['sent'],
      to: 'accepted',
      actor: 'agent:dev-1',
      patch: { onlyInBranch: 'branch-1' },
    });
    expect(planJobMove('startPrinting', 'job-1', agent, { now: NOW }).from).toEqual(['sent', 'accepted', 'expired']);
    expect(planJobMove('refuse', 'job-1', agent, { reason: 'agent refused the job: full', now: NOW })).toMatchObject({
      from: ['sent'],
      to: 'failed',
      patch: { reason: 'agent refused the job: full' },
    });
  });

  it('records a user’s cancel under the user, and the gateway’s own endings with their reasons', () => {
    expect(planJobMove('cancel', 'job-1', { actor: 'user', userId: 'u-7' }, { now: NOW })).toEqual({
      id: 'job-1',
      from: ['queued', 'held'],
      to: 'cancelled',
      actor: 'user:u-7',
      patch: { reason: 'cancelled through the API' },
    });
    expect(
      planJobMove('failForDeletedPrinter', 'job-1', { actor: 'printer-removal' }, { observed: 'queued', now: NOW }),
    ).toMatchObject({
      to: 'failed',
      actor: 'gateway',
      patch: { reason: 'the printer was deleted before the job was printed' },
    });
    expect(
      planJobMove('unconfirmForDeletedPrinter', 'job-1', { actor: 'printer-removal' }, { now: NOW }),
    ).toMatchObject({ from: ['sent'], to: 'unconfirmed', patch: { reason: OUTCOME_UNKNOWN_REASON } });
  });

  it('holds a stale queued job as the gateway, and a release sends it back to the queue under the user', () => {
    expect(planJobMove('hold', 'job-1', { actor: 'hold-policy' }, { observed: 'queued', now: NOW })).toEqual({
      id: 'job-1',
      from: ['queued'],
      to: 'held',
      actor: 'gateway',
      patch: { reason: HELD_REASON },
    });
    expect(planJobMove('release', 'job-1', { actor: 'user', userId: 'u-7' }, { now: NOW })).toEqual({
      id: 'job-1',
      from: ['held'],
      to: 'queued',
      actor: 'user:u-7',
      patch: { reason: RELEASED_REASON },
    });
    // A held job is not the dispatcher's: only a person moves it on.
    expect(jobTransitionsFrom('dispatcher', 'held')).toEqual([]);
  });

  it('plans the sweeps from the same rules', () => {
    expect(planSweep('expire')).toEqual({ from: ['queued'], to: 'expired', actor: 'gateway', reason: EXPIRED_REASON });
    expect(planSweep('giveUpOnOutcome')).toEqual({
      from: ['sent', 'accepted', 'printing'],
      to: 'unconfirmed',
      actor: 'gateway',
      reason: OUTCOME_UNKNOWN_REASON,
    });
  });

  it('refuses a move by the wrong actor, from a state the transition does not leave, or a delivery without its agent', () => {
    const refused = (plan: () => unknown) => {
      try {
        plan();
      } catch (err) {
        return err instanceof GatewayError ? err.code : 'not a GatewayError';
      }
      return 'planned';
    };
    const user: JobMover = { actor: 'user', userId: 'u-1' };
    expect(refused(() => planJobMove('dispatch', 'j', user as never, { agent: receiver, now: NOW }))).toBe('INTERNAL');
    expect(refused(() => planJobMove('cancel', 'j', agent as never, { now: NOW }))).toBe('INTERNAL');
    expect(refused(() => planJobMove('expire', 'j', { actor: 'outcome-sweep' } as never, { now: NOW }))).toBe(
      'INTERNAL',
    );
    const observed: JobState = 'sent';
    expect(refused(() => planJobMove('cancel', 'j', user as never, { observed, now: NOW }))).toBe('INTERNAL');
    expect(refused(() => planJobMove('dispatch', 'j', { actor: 'dispatcher' }, { observed: 'queued', now: NOW }))).toBe(
      'INTERNAL',
    );
    expect(refused(() => planJobMove('cancel', 'j', user as never, { observed: 'queued', now: NOW }))).toBe('planned');
  });
});
