import type { Cluster } from './cluster/cluster.js';
import type { GatewayConfig } from './config.js';
import type { Clock } from './core/clock.js';
import type { Core } from './core/create-core.js';
import { GoneSessionSweep } from './core/gone-session-sweep.js';
import { housekeepingTasks } from './core/housekeeping.js';
import type { LifecyclePart } from './core/lifecycle.js';
import type { Logger } from './core/ports/logger.js';
import type { Stores } from './core/ports/stores.js';
import { PrinterCanary } from './core/printer-canary.js';
import { RetentionPurge } from './core/retention-purge.js';
import { Scheduler } from './core/scheduler.js';
import { runAsGateway } from './core/tenant-scope.js';
import type { SocketAgentLink } from './gateway/socket-agent-link.js';
import type { Edge } from './gateway-edge.js';
import { BusyLoopGate } from './health/busy-loop-gate.js';
import { instanceHeartbeat } from './instance-heartbeat.js';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
import type { EmbeddedVacuum } from './store/embedded-vacuum.js';

/** How long an agent's directory entry lives without a refresh, ms. */
export const DIRECTORY_TTL_MS = 90_000;

/** The housekeeping periods and lifetimes that are not configurable, ms. */
const FIXED_INTERVALS = {
  directoryTtlMs: DIRECTORY_TTL_MS,
  /** How long a process's registry entry lives without a refresh. */
  instanceTtlMs: 30_000,
  idempotencyPurgeMs: 3_600_000,
  /** Series of deleted printers and stations dropped from the metrics. */
  metricSeriesPruneMs: 3_600_000,
};

export interface HousekeepingPartDeps {
  config: GatewayConfig;
  core: Core;
  cluster: Cluster;
  stores: Stores;
  edge: Edge;
  link: SocketAgentLink;
  /** Its per-printer and per-station series are pruned of deleted ones. */
  metrics: GatewayMetrics;
  /** Sweep the sessions of gone processes (topology.ts). */
  sweepGoneSessions: boolean;
  /** The embedded store's vacuum passes (PGlite has no autovacuum); `undefined` on PostgreSQL. */
  vacuum?: EmbeddedVacuum;
  clock: Clock;
  logger: Logger;
}

/** Event-loop utilization since the previous period above which the embedded vacuum pass waits. */
const VACUUM_PUT_OFF_ABOVE = 0.75;
/** Periods in a row the embedded vacuum pass may wait for a quieter loop. */
const VACUUM_MAX_DEFERRALS = 5;
/** Rows per retention batch at most on the embedded store. */
const EMBEDDED_PURGE_BATCH = 250;

/**
 * The process's periodic work on the Scheduler, and its entry in the instance registry.
 * Started once the edge listens: the first heartbeat then carries the real port and readiness.
 */
export function housekeepingPart(deps: HousekeepingPartDeps): LifecyclePart {
  const { config, cluster, clock, logger } = deps;
  const scheduler = new Scheduler(clock, logger);
  const heartbeat = instanceHeartbeat({
    instances: cluster.instances,
    instanceId: config.instanceId,
    startedAt: clock.now(),
    ttlMs: FIXED_INTERVALS.instanceTtlMs,
    clock,
    port: () => deps.edge.port,
    connections: () => deps.link.size + deps.edge.gateway.webClientCount,
    requests: () => deps.edge.app.drain.requestCount,
    ready: deps.edge.ready,
  });
  const goneSessions = deps.sweepGoneSessions
    ? new GoneSessionSweep({
        listLive: async () => (await cluster.instances.list()).map((i) => i.id),
        devices: deps.stores.devices,
        logger,
        options: { instanceId: config.instanceId, minAgeMs: 2 * FIXED_INTERVALS.instanceTtlMs },
      })
    : undefined;
  const sweepGoneSessions = goneSessions && (() => goneSessions.sweep().then(() => undefined));
  const canary = new PrinterCanary({
    link: deps.link,
    printers: deps.stores.printers,
    events: deps.core.events,
    clock,
    logger,
    timeoutMs: config.requests.canaryTimeoutMs,
  });
  const retention = new RetentionPurge({
    store: deps.stores.retention,
    clock,
    events: deps.core.events,
    logger,
    // The embedded store runs in this process: a batch holds the event loop for as long as it takes
    // (0.3–0.8 s for 5,000 jobs on 2 loaded cores), so it gets small ones there.
    options: config.database.url
      ? config.retention
      : { ...config.retention, batchSize: Math.min(config.retention.batchSize, EMBEDDED_PURGE_BATCH) },
  });
  // A vacuum pass holds the embedded store, and so the event loop, for up to seconds: it waits
  // while the loop is busy (a restarted gateway admitting a reconnect storm), at most five periods.
  // Busy means over three quarters of the period, as in a storm; the period is measured from the end
  // of the previous pass, so that a long pass does not count against the next.
  const vacuumGate = new BusyLoopGate({ busyAbove: VACUUM_PUT_OFF_ABOVE, maxDeferrals: VACUUM_MAX_DEFERRALS });
  return {
    name: 'housekeeping',
    async start() {
      const intervals = {
        expirySweepMs: config.jobs.expirySweepIntervalMs,
        staleSweepMs: config.requests.staleSweepIntervalMs,
        redispatchMs: config.jobs.redispatchIntervalMs,
        ...FIXED_INTERVALS,
      };
      const branchesWithAgents = () => deps.link.branchesWithAgents();
      for (const task of housekeepingTasks({
        ...deps,
        directory: cluster.directory,
        intervals,
        heartbeat,
        branchesWithAgents,
        sweepGoneSessions,
      }))
        scheduler.every(task);
      // Refresh tokens expired for a day are of no more use, even to detect a reuse (docs/credentials.md).
      scheduler.every({
        name: 'refresh-token-sweep',
        intervalMs: 3_600_000,
        run: () => deps.core.sessions.sweepExpired().then(() => undefined),
      });
      // Finished rows past their retention (docs/operations.md, Retention); every process runs it,
      // one at a time by an advisory lock.
      scheduler.every({
        name: 'retention-purge',
        intervalMs: config.retention.intervalMs,
        run: () => retention.run().then(() => undefined),
      });
      // Deleted printers' and stations' series leave /metrics (each process holds its own).
      scheduler.every({
        name: 'metric-series-prune',
        intervalMs: FIXED_INTERVALS.metricSeriesPruneMs,
        run: () => pruneMetricSeries(deps).then(() => undefined),
      });
      // The embedded store's autovacuum: without it, lookups of open work slow down as history grows.
      const { vacuum } = deps;
      if (vacuum && config.database.embeddedVacuumIntervalMs > 0) {
        scheduler.every({
          name: 'embedded-vacuum',
          intervalMs: config.database.embeddedVacuumIntervalMs,
          run: async () => {
            const putOff = vacuumGate.deferred;
            if (!vacuumGate.pass()) {
              logger.debug({ deferred: vacuumGate.deferred }, 'embedded store vacuum put off: event loop busy');
              return;
            }
            const pass = await vacuum.run().finally(() => vacuumGate.restart());
            if (pass.vacuumed.length > 0 || pass.analyzed.length > 0)
              logger.info({ ...pass, deferred: putOff }, 'embedded store vacuumed');
          },
        });
      }
      // End-to-end canaries of this process's agents' printers (docs/operations.md#canaries).
      if (config.requests.canaryIntervalMs > 0) {
        deps.core.events.on('statusReported', (agent, reports) => canary.statusReported(agent, reports));
        scheduler.every({
          name: 'printer-canary',
          intervalMs: config.requests.canaryIntervalMs,
          run: () => canary.round().then(() => undefined),
        });
      }
      // Two agents per branch: the active one's lease renewed, a standby's claim (agent-leases.ts).
      scheduler.every({
        name: 'agent-leases',
        intervalMs: Math.max(100, Math.round((config.jobs.agentLeaseTtlMs ?? 3_000) / 3)),
        run: () => deps.core.leases.tick(),
      });
      // The outbox's sequencer: its own loop, since it runs after every write, not on a period alone.
      deps.core.eventSequencer.start();
      // Webhook deliveries: due ones are claimed by one process each (PRINTERMASTER_WEBHOOK_WORKER).
      if (config.webhooks.worker) deps.core.webhookWorker.start();
      await heartbeat().catch((err: unknown) => logger.error({ err }, 'instance registration failed'));
      // Off the start-up path: in a rolling reload the old worker stops as soon as this one is ready.
      void sweepGoneSessions?.().catch((err: unknown) =>
        logger.error({ err }, 'closing the sessions of gateway processes that are gone failed'),
      );
    },
    async stop() {
      retention.stop();
      await Promise.all([scheduler.stop(), deps.core.eventSequencer.stop(), deps.core.webhookWorker.stop()]);
    },
  };
}

/** Drops the metric series of printers and stations that are no longer in the store. */
export async function pruneMetricSeries(
  deps: Pick<HousekeepingPartDeps, 'stores' | 'metrics' | 'logger'>,
): Promise<number> {
  const [printers, stations] = await runAsGateway(() =>
    Promise.all([deps.stores.printers.list({}), deps.stores.stations.list({})]),
  );
  const removed = await deps.metrics.forgetGone({
    printers: new Set(printers.map((p) => p.id)),
    stations: new Set(stations.map((s) => s.id)),
  });
  if (removed > 0) deps.logger.info({ removed }, 'metric series of deleted printers and stations dropped');
  return removed;
}
