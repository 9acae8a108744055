import { isInServiceHours, type ServiceHours } from '@printermaster/protocol';
import type { CoreEvents } from '../core/core-events.js';
import type { Core } from '../core/create-core.js';
import type { PrintJobStore } from '../core/ports/print-job-store.js';
import type { TenantStore } from '../core/ports/tenant-store.js';
import type { Edge } from '../gateway-edge.js';
import type { TicketRenderPool } from '../ticket-render-pool.js';
import { collectFrom, collectTotals, collectValue } from './collect-at-scrape.js';
import type { GatewayMetrics } from './gateway-metrics.js';

/** What the metrics read at scrape time. */
export interface MetricSources {
  connections(): { agent: number; web: number };
  agentsByProtocol(): Record<string, number>;
  agentsByQuality(): Record<string, number>;
  agentsHighLatency(): number;
  jobsByState(): Promise<Record<string, number>>;
  printersByStatus(): Promise<{ status: string; reason: string | null; count: number }[]>;
  /** The branches with service hours. */
  serviceHours(): Promise<{ branchId: string; serviceHours: ServiceHours }[]>;
  uniqueUsers(): number;
  pendingRequests(): number;
  /** What `/health/ready` answers: listening, not draining, the store (and Redis when configured) reachable. */
  ready(): boolean | Promise<boolean>;
  renderLoad(): Record<string, number>;
}

/** Binds the Prometheus metrics to the core's events and to the values read at scrape time. */
export function bindMetrics(metrics: GatewayMetrics, events: CoreEvents, sources: MetricSources): void {
  events.on('jobTransition', (job, from) => {
    metrics.jobTransitions.inc({ from: from ?? 'none', to: job.state });
    if (job.state === 'completed' && job.completedAt) {
      const seconds = (job.completedAt.getTime() - job.createdAt.getTime()) / 1000;
      metrics.jobDuration.observe(seconds);
      metrics.jobServiceTime.observe(
        { branch: job.branchId, station: job.stationId ?? 'none', type: job.type },
        seconds,
      );
    }
    if (job.state === 'expired') metrics.jobsExpired.inc();
    if (job.state === 'unconfirmed') metrics.jobsUnconfirmed.inc();
  });
  events.on('rendered', (outcome, where, durationMs) => {
    metrics.renders.inc({ outcome, where });
    metrics.renderDuration.observe({ where }, durationMs / 1000);
  });
  events.on('requestTimedOut', (info) => metrics.requestTimeouts.inc({ type: info.type }));
  events.on('requestResolved', (info, ms) => metrics.correlationResolution.observe({ type: info.type }, ms / 1000));
  events.on('staleRequestsCleaned', (count) => metrics.staleRequestsCleaned.inc(count));
  events.on('rateLimited', (scope) => metrics.rateLimitRejections.inc({ scope }));
  events.on('agentLatency', (seconds) => metrics.agentLatency.observe(seconds));
  events.on('stationMoved', (station, count) =>
    metrics.stationMoves.inc({ branch: station.branchId, station: station.id }, count),
  );
  events.on('canaryProbed', (r) => {
    const labels = { branch: r.branchId, printer: r.printerId };
    if (r.ms !== null) metrics.canarySeconds.observe(labels, r.ms / 1000);
    if (!r.ok) metrics.canaryFailures.inc({ ...labels, reason: r.reason ?? 'unknown' });
  });
  events.on('statusBatch', (size) => {
    metrics.statusBatches.inc();
    metrics.statusBatchSize.observe(size);
  });
  events.on('connection', (kind, delta, reason, durationMs) => {
    if (delta > 0) metrics.connects.inc({ kind });
    else {
      metrics.disconnects.inc({ kind, reason: reason ?? 'unknown' });
      if (durationMs !== undefined) metrics.connectionDuration.observe({ kind }, durationMs / 1000);
    }
  });
  events.on('originRefused', () => metrics.originRejections.inc());
  events.on('handshakeRefused', (kind, code) => metrics.handshakeRejections.inc({ kind, code }));
  events.on('webhookDelivery', (outcome, latencyMs, lagMs) => {
    metrics.webhookDeliveries.inc({ outcome });
    metrics.webhookRequestDuration.observe(latencyMs / 1000);
    if (lagMs !== undefined) metrics.webhookLag.observe(Math.max(0, lagMs) / 1000);
  });
  events.on('webhookEndpointDisabled', () => metrics.webhookEndpointsDisabled.inc());
  events.on('retentionPurged', (table, count) => metrics.retentionPurged.inc({ table }, count));

  collectFrom(metrics.connections, sources.connections, 'kind');
  collectFrom(metrics.agentsConnected, sources.agentsByProtocol, 'protocol');
  collectFrom(metrics.agentsByQuality, sources.agentsByQuality, 'quality');
  collectFrom(metrics.printJobs, () => sources.jobsByState().catch(() => ({})), 'state');
  (metrics.printers as unknown as { collect?: () => Promise<void> }).collect = async () => {
    const rows = await sources.printersByStatus().catch(() => []);
    metrics.printers.reset();
    for (const r of rows) metrics.printers.set({ status: r.status, reason: r.reason ?? 'none' }, r.count);
  };
  (metrics.branchInService as unknown as { collect?: () => Promise<void> }).collect = async () => {
    const rows = await sources.serviceHours().catch(() => []);
    const now = Date.now();
    metrics.branchInService.reset();
    for (const r of rows)
      metrics.branchInService.set({ branch: r.branchId }, isInServiceHours(r.serviceHours, now) ? 1 : 0);
  };
  collectValue(metrics.uniqueUsers, sources.uniqueUsers);
  collectValue(metrics.agentsHighLatency, sources.agentsHighLatency);
  collectValue(metrics.pendingRequests, sources.pendingRequests);
  collectValue(metrics.ready, async () => ((await sources.ready()) ? 1 : 0));
  collectFrom(metrics.renderDocuments, sources.renderLoad, 'state');
}

type Lookups = { hits: number; misses: number };

const lookupTotals = (caches: Record<string, Lookups>): [Record<string, string>, number][] =>
  Object.entries(caches).flatMap(([cache, l]): [Record<string, string>, number][] => [
    [{ cache, result: 'hit' }, l.hits],
    [{ cache, result: 'miss' }, l.misses],
  ]);

/** The gateway's metrics, read from its core, its edge, the job store, the render threads and the preview cache. */
export function bindGatewayMetrics(
  metrics: GatewayMetrics,
  parts: {
    core: Core;
    edge: Edge;
    jobs: PrintJobStore;
    tenants: Pick<TenantStore, 'listServiceHours'>;
    renderer: TicketRenderPool;
    previews?: { lookups: Lookups };
  },
): void {
  const { core, edge } = parts;
  // The gauges read from the health report share one (prom-client collects them together; each
  // report pings the store).
  let inFlight: ReturnType<Edge['health']['report']> | undefined;
  const healthReport = () => {
    inFlight ??= edge.health.report().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  // The runbooks alert on `database_connected == 0` (deploy/prometheus/recording-rules.yml).
  collectValue(metrics.databaseConnected, async () => ((await healthReport()).database === 'connected' ? 1 : 0));
  collectTotals(metrics.cacheLookups, () =>
    lookupTotals({
      ...core.licenses.cacheLookups(),
      printers: core.printers.cacheLookups(),
      ...(parts.previews ? { previews: parts.previews.lookups } : {}),
    }),
  );
  // Plain numbers on the hot path; the counter is set from them when read.
  const messages = { in: 0, out: 0 };
  const received = (packet: { type: string }) => {
    if (packet.type === 'message') messages.in += 1;
  };
  const sent = (packet: { type: string }) => {
    if (packet.type === 'message') messages.out += 1;
  };
  edge.gateway.io.engine.on('connection', (conn: { on(event: string, fn: (p: { type: string }) => void): void }) => {
    conn.on('packet', received);
    conn.on('packetCreate', sent);
  });
  collectTotals(metrics.websocketMessages, () => [
    [{ direction: 'in' }, messages.in],
    [{ direction: 'out' }, messages.out],
  ]);
  const deflate = edge.gateway.deflateSharing;
  if (deflate) {
    collectTotals(metrics.websocketDeflate, () => {
      const { compressed, shared } = deflate.stats();
      return [
        [{ way: 'compressed' }, compressed],
        [{ way: 'shared' }, shared],
      ];
    });
  }
  const namespace = edge.gateway.namespace;
  metrics.sources = {
    agents: () => core.tracker.records(),
    rooms: () => {
      let n = 0;
      for (const room of namespace.adapter.rooms.keys()) if (!namespace.sockets.has(room)) n += 1;
      return n;
    },
  };
  bindMetrics(metrics, core.events, {
    connections: () => ({ agent: edge.websocketStats().agents, web: edge.gateway.webClientCount }),
    agentsByProtocol: () => edge.websocketStats().byProtocol,
    agentsByQuality: () => core.tracker.counts().byQuality,
    agentsHighLatency: () => core.tracker.counts().highLatency,
    jobsByState: () => parts.jobs.countOpenByState(),
    printersByStatus: () => core.printers.countByStatus(),
    serviceHours: () => parts.tenants.listServiceHours(),
    uniqueUsers: () => edge.gateway.uniqueUserCount,
    pendingRequests: () => core.pending.size,
    // As `/health/ready` answers, so that an alert on it fires when the store is unreachable.
    ready: async () => edge.ready() && (await healthReport()).ready,
    renderLoad: () => parts.renderer.load(),
  });
}
