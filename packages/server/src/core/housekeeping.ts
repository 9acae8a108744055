import type { Core } from './create-core.js';
import type { AgentDirectory } from './ports/agent-directory.js';
import type { Logger } from './ports/logger.js';
import type { ScheduledTask } from './scheduler.js';

/** The intervals of the gateway's periodic work, ms. */
export interface HousekeepingIntervals {
  expirySweepMs: number;
  staleSweepMs: number;
  redispatchMs: number;
  /** Directory entries are refreshed three times per TTL. */
  directoryTtlMs: number;
  /** The process's registry entry is refreshed three times per TTL; sessions of gone processes swept once per TTL. */
  instanceTtlMs: number;
  idempotencyPurgeMs: number;
}

export interface HousekeepingDeps {
  core: Core;
  directory: AgentDirectory;
  /** Branches with an agent on this process. */
  branchesWithAgents(): string[];
  /** Refreshes this process's entry in the instance registry. */
  heartbeat(): Promise<void>;
  /** Closes device sessions of processes that are gone (PostgreSQL with Redis only). */
  sweepGoneSessions?: () => Promise<void>;
  intervals: HousekeepingIntervals;
  logger: Logger;
}

/** Every periodic task of a gateway process, for the Scheduler. */
export function housekeepingTasks(deps: HousekeepingDeps): ScheduledTask[] {
  const { core, intervals, logger } = deps;
  // Requests that ended without an answer since the last sweep: most by their own timer, the rest
  // by the sweep. Operators (runbook: grep "Cleaned up.*stale") read them together every 30 s.
  let timedOut = 0;
  core.events.on('requestTimedOut', () => {
    timedOut++;
  });
  const tasks: ScheduledTask[] = [
    {
      name: 'job-expiry',
      intervalMs: intervals.expirySweepMs,
      run: async () => {
        const { expired, unconfirmed } = await core.jobs.expireDue();
        if (expired > 0) logger.info({ count: expired }, `Expired ${expired} print jobs past their useful-until time`);
        if (unconfirmed > 0)
          logger.warn(
            { count: unconfirmed },
            `${unconfirmed} print jobs delivered to agents had no outcome past their useful-until time; now unconfirmed`,
          );
      },
    },
    {
      name: 'stale-requests',
      intervalMs: intervals.staleSweepMs,
      run: async () => {
        const removed = core.pending.sweep();
        core.printerTests.pruneExpiredLegacyTests();
        if (removed > 0) core.events.emit('staleRequestsCleaned', removed);
        const cleaned = timedOut;
        timedOut = 0;
        logger[cleaned > 0 ? 'warn' : 'info'](
          { count: cleaned, sweptLate: removed },
          `Cleaned up ${cleaned} stale requests`,
        );
        logger.info({ pending: core.pending.size }, `Active pending requests: ${core.pending.size}`);
      },
    },
    {
      name: 'redispatch',
      intervalMs: intervals.redispatchMs,
      run: () => core.redispatch(deps.branchesWithAgents()),
    },
    {
      name: 'agent-directory',
      intervalMs: intervals.directoryTtlMs / 3,
      run: () => deps.directory.putMany(core.tracker.records(), intervals.directoryTtlMs),
    },
    { name: 'instance-heartbeat', intervalMs: intervals.instanceTtlMs / 3, run: deps.heartbeat },
    {
      name: 'idempotency-purge',
      intervalMs: intervals.idempotencyPurgeMs,
      run: async () => {
        await core.jobs.purgeIdempotencyKeys();
      },
    },
  ];
  if (deps.sweepGoneSessions)
    tasks.push({ name: 'gone-sessions', intervalMs: intervals.instanceTtlMs, run: deps.sweepGoneSessions });
  return tasks;
}
