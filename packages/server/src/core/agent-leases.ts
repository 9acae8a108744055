import type { Clock } from './clock.js';
import type { JobLifecycle } from './job-lifecycle.js';
import { type AgentLeaseStore, type LeaseClaim, type LeaseKey, leaseKeyOf } from './ports/agent-lease-store.js';
import type { ConnectedAgent } from './ports/agent-link.js';
import type { AuditLog } from './ports/audit-log.js';
import type { Logger } from './ports/logger.js';

/** The capability an agent started with `--standby-group <name>` announces in its handshake. */
export const STANDBY_GROUP_CAPABILITY = 'standby-group:';

/** The standby group an agent announced; `undefined` for an agent on its own (every agent before this). */
export function standbyGroupOf(agent: Pick<ConnectedAgent, 'capabilities'>): string | undefined {
  const capability = agent.capabilities.find((c) => c.startsWith(STANDBY_GROUP_CAPABILITY));
  return capability?.slice(STANDBY_GROUP_CAPABILITY.length) || undefined;
}

export interface AgentLeasesDeps {
  store: AgentLeaseStore;
  /** The agents connected to this process. */
  agents(): ConnectedAgent[];
  lifecycle: Pick<JobLifecycle, 'unconfirmReplaced'>;
  audit: AuditLog;
  /** The group has a new active agent: dispatch the branch's waiting jobs (here, and where that agent is). */
  jobsReady(branchId: string): void;
  clock: Clock;
  logger: Logger;
  options: { instanceId: string; ttlMs: number };
}

/**
 * Two agents for the same printers, one active (docs/agent.md#two-agents-for-the-same-printers).
 * Agents started with the same standby group in a branch share a lease: the first to claim it
 * prints, the others stand by, connected and healthy, and get no jobs. `tick` (every third of
 * the lease's life) renews the leases of this process's active agents and lets its standby agents
 * claim a lease that was let go (the active agent disconnected) or ran out (its gateway process
 * died). The agent that takes over does not get the jobs the replaced one was sent: they become
 * `unconfirmed`, since they may have printed. The switch is an `agent.switched` event (and webhook)
 * and an audit entry. Agents without a group are not concerned.
 */
/**
 * How long after a switch the replaced agent's jobs are looked for again, ms. A dispatch pass that
 * read the replaced agent as active just before it went away marks its jobs `sent` to it after the
 * switch made that agent's jobs unconfirmed (seen under load in the end-to-end test: a job left
 * `sent` to a dead agent, never to end). Such a pass ends within seconds; a minute is ample.
 */
const LATE_SENT_WINDOW_MS = 60_000;

export class AgentLeases {
  /** The active device of each group with an agent here, as this process last saw it. */
  private readonly active = new Map<string, string>();
  /** Per group held here: the devices it took over from, and when, for LATE_SENT_WINDOW_MS. */
  private readonly replaced = new Map<string, { branchId: string; deviceId: string; at: number }[]>();

  constructor(private readonly deps: AgentLeasesDeps) {}

  /** Whether the agent stands by: in a group, and not its lease holder as this process knows it (yet). */
  isStandby(agent: ConnectedAgent): boolean {
    const key = this.keyOf(agent);
    return key !== undefined && this.active.get(leaseKeyOf(key)) !== agent.deviceId;
  }

  async connected(agent: ConnectedAgent): Promise<void> {
    if (this.keyOf(agent)) await this.claim(agent);
  }

  async disconnected(agent: ConnectedAgent): Promise<void> {
    const key = this.keyOf(agent);
    if (!key || this.active.get(leaseKeyOf(key)) !== agent.deviceId) return;
    this.active.delete(leaseKeyOf(key));
    await this.deps.store.release(key, agent.deviceId, this.deps.options.instanceId);
    // A standby of the group on this process takes over now, not at the next tick.
    const standby = this.grouped().find((a) => a.deviceId !== agent.deviceId && this.sameGroup(a, key));
    if (standby) await this.claim(standby);
  }

  /** Renews this process's leases, lets its standby agents claim free ones, and reads who holds the others. */
  async tick(): Promise<void> {
    const agents = this.grouped();
    const holding = agents.filter((a) => !this.isStandby(a));
    await this.deps.store.renew(
      holding.map((a) => this.claimOf(a)),
      this.deps.options.ttlMs,
    );
    const keys = agents.map((a) => this.keyOf(a) as LeaseKey);
    const holders = await this.deps.store.holders(keys);
    for (const [i, agent] of agents.entries()) {
      const key = leaseKeyOf(keys[i] as LeaseKey);
      const holder = holders.get(key);
      if (holder === undefined) await this.claim(agent);
      else this.active.set(key, holder);
    }
    // Groups with no agent here any more are forgotten: their names are the agents' own, and a
    // group whose holder was on another process is not let go of by a disconnect here.
    const here = new Set(this.grouped().map((a) => leaseKeyOf(this.keyOf(a) as LeaseKey)));
    for (const key of this.active.keys()) if (!here.has(key)) this.active.delete(key);
    await this.unconfirmLateSent(this.grouped());
  }

  /**
   * Jobs marked `sent` to a replaced agent after the switch (a pass already under way) become
   * unconfirmed too: that agent gets nothing more and the holder never gets them, so they would
   * otherwise stay `sent` until their useful-until time.
   */
  private async unconfirmLateSent(agents: ConnectedAgent[]): Promise<void> {
    const now = this.deps.clock.now();
    for (const [key, list] of this.replaced) {
      const holder = this.active.get(key);
      const heldHere = agents.some((a) => a.deviceId === holder && leaseKeyOf(this.keyOf(a) as LeaseKey) === key);
      const recent = list.filter((r) => now - r.at < LATE_SENT_WINDOW_MS && r.deviceId !== holder);
      if (!heldHere || recent.length === 0) {
        this.replaced.delete(key);
        continue;
      }
      this.replaced.set(key, recent);
      for (const r of recent) {
        const late = await this.deps.lifecycle.unconfirmReplaced(r.branchId, r.deviceId);
        if (late > 0)
          this.deps.logger.warn(
            { branchId: r.branchId, deviceId: holder, from: r.deviceId, unconfirmed: late },
            'jobs sent to the replaced agent after the switch are unconfirmed too',
          );
      }
    }
  }

  private async claim(agent: ConnectedAgent): Promise<void> {
    const key = leaseKeyOf(this.keyOf(agent) as LeaseKey);
    const { holder, takenFrom } = await this.deps.store.claim(this.claimOf(agent), this.deps.options.ttlMs);
    const before = this.active.get(key);
    this.active.set(key, holder);
    if (holder !== agent.deviceId) return;
    const log = { branchId: agent.branchId, deviceId: agent.deviceId };
    // The holder is not replaced any more, whatever it was before (it may take the lease back).
    const earlier = (this.replaced.get(key) ?? []).filter((r) => r.deviceId !== agent.deviceId);
    if (takenFrom !== null) earlier.push({ branchId: agent.branchId, deviceId: takenFrom, at: this.deps.clock.now() });
    if (earlier.length > 0) this.replaced.set(key, earlier);
    else this.replaced.delete(key);
    if (takenFrom !== null) {
      const unconfirmed = await this.deps.lifecycle.unconfirmReplaced(agent.branchId, takenFrom);
      this.deps.logger.warn({ ...log, from: takenFrom, unconfirmed }, 'standby agent took over');
      await this.deps.audit.record({
        companyId: agent.companyId,
        actor: 'gateway',
        action: 'agent.switched',
        targetType: 'device',
        targetId: agent.deviceId,
        details: { branchId: agent.branchId, from: takenFrom, unconfirmedJobs: unconfirmed },
      });
    }
    if (before !== agent.deviceId) this.deps.jobsReady(agent.branchId);
  }

  private grouped(): ConnectedAgent[] {
    return this.deps.agents().filter((a) => this.keyOf(a) !== undefined);
  }

  private sameGroup(agent: ConnectedAgent, key: LeaseKey): boolean {
    return agent.branchId === key.branchId && standbyGroupOf(agent) === key.group;
  }

  private keyOf(agent: ConnectedAgent): LeaseKey | undefined {
    const group = agent.protocol === 'v2' ? standbyGroupOf(agent) : undefined;
    return group === undefined ? undefined : { branchId: agent.branchId, group };
  }

  private claimOf(agent: ConnectedAgent): LeaseClaim {
    return {
      companyId: agent.companyId,
      branchId: agent.branchId,
      group: standbyGroupOf(agent) as string,
      deviceId: agent.deviceId,
      instanceId: this.deps.options.instanceId,
    };
  }
}
