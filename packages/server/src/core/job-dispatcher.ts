import type { Clock } from './clock.js';
import { type HoldAfter, tooOldToPrint } from './hold-policy.js';
import { toDelivery } from './job-delivery.js';
import type { JobLifecycle } from './job-lifecycle.js';
import { onlyJobTransition } from './job-state-machine.js';
import type { AgentLink, ConnectedAgent } from './ports/agent-link.js';
import type { Logger } from './ports/logger.js';
import type { PrintJobStore, PrintJobWithContent } from './ports/print-job-store.js';
import type { Printer, PrinterStore } from './ports/printer-store.js';
import { isReady } from './station-service.js';

export interface JobDispatcherOptions {
  /** How long to wait for an agent's journal acknowledgement, ms. */
  ackTimeoutMs: number;
  /** Jobs read per pass over a branch. */
  batchSize: number;
  holdAfterMs?: HoldAfter;
}

export interface JobDispatcherDeps {
  jobs: PrintJobStore;
  printers: PrinterStore;
  link: AgentLink;
  lifecycle: JobLifecycle;
  clock: Clock;
  logger: Logger;
  options: JobDispatcherOptions;
  /** Whether an agent stands by for another of its standby group (agent-leases.ts); without it, none does. */
  standby?: (agent: ConnectedAgent) => boolean;
}

/**
 * Sends a branch's `queued` and `sent` jobs to its v2 agent (docs/architecture.md#a-print-job-end-to-end, docs/protocol.md#print-jobs).
 *
 * A job is marked `sent` (with the agent's device id) before it is emitted, so a
 * crash between the two leaves it `sent` and it is re-sent. Once sent, a job is
 * pinned to that agent: only that agent gets it again, because it may already
 * hold it in its journal and another agent would print it a second time.
 * Passes over one branch never overlap; a kick during a pass runs one more pass.
 */
export class JobDispatcher {
  private readonly jobs: PrintJobStore;
  private readonly printers: PrinterStore;
  private readonly link: AgentLink;
  private readonly lifecycle: JobLifecycle;
  private readonly clock: Clock;
  private readonly standby: ((agent: ConnectedAgent) => boolean) | undefined;
  private readonly logger: Logger;
  private readonly options: JobDispatcherOptions;
  private readonly passes = new Map<string, { again: boolean; done: Promise<void> }>();
  /**
   * Jobs emitted and not yet acknowledged in this process, by branch: not re-sent meanwhile,
   * and a pass reads past them, so that a backlog larger than a batch drains.
   */
  private readonly inFlightByBranch = new Map<string, Set<string>>();
  /** Branches with jobs held back because a batch is already in flight there. */
  private readonly waitingForRoom = new Set<string>();
  /** Deliveries waiting for (or recording) an agent's acknowledgement; shutdown waits for them. */
  private readonly deliveries = new Set<Promise<void>>();
  /** Agent connects still asking whether their branch has jobs waiting. */
  private readonly connectChecks = new Set<Promise<void>>();
  private closed = false;

  constructor(deps: JobDispatcherDeps) {
    this.jobs = deps.jobs;
    this.printers = deps.printers;
    this.link = deps.link;
    this.lifecycle = deps.lifecycle;
    this.clock = deps.clock;
    this.standby = deps.standby;
    this.logger = deps.logger;
    this.options = deps.options;
  }

  /**
   * Dispatches the branch's pending jobs now (or right after the pass under
   * way). `fresh` is a job just created: when nothing else is pending in its
   * branch it is sent as it is, without reading the branch's queue back.
   */
  kick(branchId: string, fresh?: PrintJobWithContent): Promise<void> {
    if (this.closed) return Promise.resolve();
    const running = this.passes.get(branchId);
    if (running) {
      running.again = true;
      return running.done;
    }
    const state = { again: false, done: Promise.resolve() };
    state.done = (async () => {
      try {
        let hint = fresh;
        do {
          state.again = false;
          const { read, sent } = await this.pass(branchId, hint);
          hint = undefined;
          // A full batch means more may be waiting; go on while jobs actually move, so a batch of jobs
          // pinned to an absent agent cannot make this spin.
          if (read >= this.options.batchSize && sent > 0) state.again = true;
        } while (state.again && !this.closed);
      } catch (err) {
        this.logger.error({ err, branchId }, 'print job dispatch failed');
      } finally {
        this.passes.delete(branchId);
      }
    })();
    this.passes.set(branchId, state);
    return state.done;
  }

  /**
   * An agent of the branch connected: dispatch if anything is pending. The check is one
   * batched read for all the agents connecting at once, where a pass would read each
   * branch's queue.
   */
  agentConnected(branchId: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    const check = (async () => {
      if (this.passes.has(branchId) || (await this.jobs.hasPending(branchId))) await this.kick(branchId);
    })();
    this.connectChecks.add(check);
    void check.finally(() => this.connectChecks.delete(check)).catch(() => {});
    return check;
  }

  /**
   * Resolves once the dispatcher has nothing under way: no pass running or queued, no agent
   * connect still checking its branch, no delivery waiting for its acknowledgement (up to
   * `ackTimeoutMs` for a silent agent). What any of them starts (a pass after an acknowledgement
   * made room, a pass an agent connect asked for) is waited for too. Never rejects. Work kicked
   * after it resolved (a new job, the periodic redispatch) is not covered: ask again.
   */
  async whenIdle(): Promise<void> {
    for (;;) {
      const work = [...[...this.passes.values()].map((p) => p.done), ...this.connectChecks, ...this.deliveries];
      if (work.length === 0) return;
      await Promise.allSettled(work);
    }
  }

  /** Waits for passes under way and stops taking new ones (shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.passes.values()].map((p) => p.done));
    await Promise.allSettled([...this.deliveries]);
  }

  /** One pass over the branch's pending jobs; how many it read and how many it sent. */
  private async pass(branchId: string, fresh?: PrintJobWithContent): Promise<{ read: number; sent: number }> {
    const agents = this.link
      .agentsInBranch(branchId)
      .filter((a) => a.protocol === 'v2' && (a.capabilities.length === 0 || a.capabilities.includes('print-jobs')))
      .filter((a) => !this.standby?.(a)); // a standby gets nothing (agent-leases.ts)
    if (agents.length === 0) return { read: 0, sent: 0 };
    // At most one batch per branch in flight: a backlog goes out as acknowledgements come back (memory).
    const inFlight = this.inFlightByBranch.get(branchId);
    const room = this.options.batchSize - (inFlight?.size ?? 0);
    if (room <= 0) {
      this.waitingForRoom.add(branchId);
      return { read: 0, sent: 0 };
    }
    // Older pending jobs go first (priority, then age), so only a job alone in its branch skips the scan.
    const pending =
      fresh && !(await this.jobs.hasOtherPending(branchId, fresh.id))
        ? [fresh]
        : await this.jobs.pendingForBranch(branchId, this.options.batchSize, [...(inFlight ?? [])]);
    const printers = new Map<string, Printer | undefined>();
    const plan: { job: PrintJobWithContent; agent: ConnectedAgent; printer: Printer }[] = [];
    let held = 0;
    for (const job of pending) {
      if (this.closed) break;
      if (this.inFlightByBranch.get(branchId)?.has(job.id)) continue;
      if (this.tooOld(job)) {
        // An agent could take it now, but a ticket this old would reach a kitchen that moved on.
        const moved = await this.lifecycle.transition('hold', job.id, { actor: 'hold-policy' }, { observed: 'queued' });
        if (moved) {
          held += 1;
          this.logger.info({ jobId: job.id, branchId, type: job.type }, 'print job held: too old to print');
        }
        continue;
      }
      let printer = printers.get(job.printerId);
      if (!printers.has(job.printerId)) {
        printer = await this.printers.find(job.printerId);
        printers.set(job.printerId, printer);
      }
      const agent = this.chooseAgent(job, printer, agents);
      if (!agent) continue;
      if (!printer) {
        // The state machine decides: a job that never left the gateway fails, a `sent` one may have printed.
        const ending = onlyJobTransition('printer-removal', job.state);
        if (ending)
          await this.lifecycle.transition(ending, job.id, { actor: 'printer-removal' }, { observed: job.state });
        continue;
      }
      // A station's job waits for a ready printer, where failover can still move it (station-failover.ts).
      if (job.stationId !== null && job.state === 'queued' && !isReady(printer)) continue;
      if (plan.length >= room) {
        this.waitingForRoom.add(branchId);
        break;
      }
      plan.push({ job, agent, printer });
    }
    // The whole pass is marked `sent` at once, then emitted in dispatch order, without waiting for
    // acknowledgements: jobs created meanwhile go out in the next pass (in-flight ones are skipped).
    const marked = await Promise.allSettled(
      plan.map(({ job, agent }) => {
        // `dispatch` for a queued job, `resend` for a sent one; only from the state read here.
        const sending = onlyJobTransition('dispatcher', job.state);
        if (!sending) return Promise.resolve(undefined);
        return this.lifecycle.transition(sending, job.id, { actor: 'dispatcher' }, { observed: job.state, agent });
      }),
    );
    let sent = 0;
    for (const [i, { job, agent, printer }] of plan.entries()) {
      const outcome = marked[i];
      if (outcome?.status === 'rejected') {
        // The others still go out; this one is dispatched again by a later pass or the sweep.
        this.logger.error({ err: outcome.reason, jobId: job.id, branchId }, 'marking the print job sent failed');
        continue;
      }
      if (!outcome?.value) continue; // cancelled or expired meanwhile, or the agent's licence was taken back
      let branchSet = this.inFlightByBranch.get(branchId);
      if (!branchSet) {
        branchSet = new Set();
        this.inFlightByBranch.set(branchId, branchSet);
      }
      branchSet.add(job.id);
      sent += 1;
      const delivery = this.deliver(agent, job, printer, outcome.value.attempts);
      this.deliveries.add(delivery);
      void delivery.finally(() => this.deliveries.delete(delivery));
    }
    // Held jobs moved too: a backlog of stale jobs larger than a batch is held in one go.
    return { read: pending.length, sent: sent + held };
  }

  /** A queued job past its type's hold age, never released by a person. */
  private tooOld(job: PrintJobWithContent): boolean {
    return tooOldToPrint(job, this.options.holdAfterMs ?? {}, this.clock.now());
  }

  /**
   * A `sent` job goes only to the agent that has it. A queued one goes to the
   * agent that reported the printer; only a network printer, which any PC of
   * the branch can reach, may be served by another agent while that one is away.
   */
  private chooseAgent(
    job: PrintJobWithContent,
    printer: Printer | undefined,
    agents: ConnectedAgent[],
  ): ConnectedAgent | undefined {
    if (job.state === 'sent') return agents.find((a) => a.deviceId === job.deviceId);
    const owner = agents.find((a) => a.deviceId === printer?.deviceId);
    if (owner) return owner;
    const reachableFromAnyPc = !printer?.deviceId || (printer.connection === 'network' && Boolean(printer.ip));
    return reachableFromAnyPc ? agents[0] : undefined;
  }

  private async deliver(
    agent: ConnectedAgent,
    job: PrintJobWithContent,
    printer: Printer,
    attempt: number,
  ): Promise<void> {
    const log = { jobId: job.id, deviceId: agent.deviceId, branchId: job.branchId };
    try {
      // Inside the try: whatever fails, the job leaves the branch's in-flight set (a job left in it
      // would narrow the branch's batch for the life of the process).
      const delivery = toDelivery(job, printer, attempt);
      let recorded: Promise<unknown> | undefined;
      const ack = await this.link.deliverJob(agent, delivery, this.options.ackTimeoutMs, (received) => {
        // Entered now, so it is applied before a report the agent sent after this ack.
        if (received.ok)
          recorded = this.lifecycle.applyAgentReport(agent, job.id, received.data.state, received.data.reason);
      });
      if (!ack) {
        this.logger.warn(log, 'print job not acknowledged; it stays sent and is re-sent to the same agent');
        return;
      }
      if (ack.ok) {
        await (recorded ?? this.lifecycle.applyAgentReport(agent, job.id, ack.data.state, ack.data.reason));
      } else {
        this.logger.warn({ ...log, code: ack.error.code }, 'agent refused the print job');
        await this.lifecycle.transition(
          'refuse',
          job.id,
          { actor: 'agent', deviceId: agent.deviceId, branchId: agent.branchId },
          { reason: `agent refused the job: ${ack.error.message}` },
        );
      }
    } catch (err) {
      this.logger.error({ ...log, err }, 'delivering the print job or recording its acknowledgement failed');
    } finally {
      const branchSet = this.inFlightByBranch.get(job.branchId);
      branchSet?.delete(job.id);
      if (branchSet?.size === 0) this.inFlightByBranch.delete(job.branchId);
      // A backlog held back by the in-flight limit goes on now there is room.
      if (this.waitingForRoom.delete(job.branchId)) void this.kick(job.branchId);
    }
  }
}
