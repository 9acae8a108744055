import { DEFAULT_MEMORY_BOUNDS, type MemoryBounds } from '../core/memory-bounds.js';
import { ExportTracker } from './export-tracker.js';
import { forgetSeries } from './forget-series.js';
import { memoryLimitBytes } from './memory-limit.js';
import { MetricReader } from './metric-reader.js';
import { prefixedMetrics, registryWithDefaultMetrics } from './prefixed-metrics.js';
import { RateLimitWatch } from './rate-limit-watch.js';
import { SlowQueryLog } from './slow-query-log.js';

/** What the JSON views (`/api/metrics/…`) read that the registry does not hold. */
export interface ViewSources {
  /** This process's agents and the tenant each belongs to. */
  agents(): { companyId: string; branchId: string; protocol: string }[];
  /** Rooms of web clients on this process (a socket's own room not counted). */
  rooms(): number;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20];

/**
 * Every Prometheus metric the gateway exports, `printermaster_` prefixed, in the order `/metrics`
 * lists them (the process's default metrics first). Gauges that mirror state elsewhere (job counts,
 * connected agents) are filled by `collect` callbacks at scrape time, so they cannot drift.
 */
export class GatewayMetrics {
  readonly registry = registryWithDefaultMetrics();
  readonly #declare = prefixedMetrics(this.registry);
  readonly #buildInfo = this.#declare.gauge('build_info', 'Version of the running gateway (always 1)', [
    'version',
    'node',
  ]);
  readonly #memoryLimit = this.#declare.gauge(
    'memory_limit_bytes',
    'Memory the process may use (cgroup limit or machine memory)',
  );
  readonly ready = this.#declare.gauge(
    'ready',
    '1 while the gateway takes traffic (as /health/ready: 200), 0 while starting, draining, or its store or Redis is unreachable',
  );
  readonly databaseConnected = this.#declare.gauge(
    'database_connected',
    '1 while the gateway reaches its store (pinged at each scrape, 2 s at most), 0 when it does not',
  );
  readonly connections = this.#declare.gauge('websocket_connections', 'Open Socket.IO connections by kind', ['kind']);
  readonly uniqueUsers = this.#declare.gauge('websocket_unique_users', 'Distinct web users connected');
  readonly connects = this.#declare.counter('websocket_connects_total', 'Socket.IO connections admitted', ['kind']);
  readonly disconnects = this.#declare.counter(
    'websocket_disconnects_total',
    'Socket.IO disconnections by kind and reason',
    ['kind', 'reason'],
  );
  readonly connectionDuration = this.#declare.histogram(
    'websocket_connection_duration_seconds',
    'How long connections lasted',
    [1, 10, 60, 300, 1800, 3600, 6 * 3600, 24 * 3600, 7 * 24 * 3600],
    ['kind'],
  );
  readonly agentsConnected = this.#declare.gauge('agents_connected', 'Agents connected to this process', ['protocol']);
  readonly agentsByQuality = this.#declare.gauge('agents_by_quality', 'Agents by connection quality', ['quality']);
  readonly agentsHighLatency = this.#declare.gauge(
    'agents_high_latency',
    'Agents whose average latency is above 500 ms',
  );
  readonly agentLatency = this.#declare.histogram(
    'agent_latency_seconds',
    'Round trips to agents (transport pings)',
    LATENCY_BUCKETS,
  );
  readonly canarySeconds = this.#declare.histogram(
    'canary_seconds',
    'End-to-end printer canaries answered: request to the agent, status from the printer, answer back',
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ['branch', 'printer'],
  );
  readonly stationMoves = this.#declare.counter(
    'station_moves_total',
    'Station jobs moved from a printer that stopped being ready to the next ready one',
    ['branch', 'station'],
  );
  readonly canaryFailures = this.#declare.counter(
    'canary_failures_total',
    'Printer canaries that failed, by reason (no_answer, offline, paper_out, cover_open…)',
    ['branch', 'printer', 'reason'],
  );
  readonly pendingRequests = this.#declare.gauge('pending_requests', 'Socket requests waiting for an agent');
  readonly correlationResolution = this.#declare.histogram(
    'correlation_resolution_seconds',
    'Time from a socket request to its correlated reply',
    LATENCY_BUCKETS,
    ['type'],
  );
  readonly requestTimeouts = this.#declare.counter(
    'request_timeouts_total',
    'Socket requests that got no reply in time',
    ['type'],
  );
  readonly staleRequestsCleaned = this.#declare.counter(
    'stale_requests_cleaned_total',
    'Pending requests removed by the stale sweep',
  );
  readonly printJobs = this.#declare.gauge(
    'print_jobs',
    'Open print jobs in the store by state (queued, held, sent, accepted, printing); finished ones: print_job_transitions_total',
    ['state'],
  );
  readonly printers = this.#declare.gauge(
    'printers',
    'Printers in the store by their agents’ last status and its reason (reason "none" when there is none)',
    ['status', 'reason'],
  );
  readonly jobTransitions = this.#declare.counter(
    'print_job_transitions_total',
    'Print job state changes recorded by this process',
    ['from', 'to'],
  );
  readonly jobDuration = this.#declare.histogram(
    'print_job_duration_seconds',
    'Time from job creation to completion',
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
  );
  readonly jobServiceTime = this.#declare.histogram(
    'job_service_seconds',
    'Time from a job’s submission to its completion, by branch, station (none: sent to a printer) and job type (the service-time SLO)',
    [1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
    ['branch', 'station', 'type'],
  );
  readonly branchInService = this.#declare.gauge(
    'branch_in_service_hours',
    '1 while a branch is inside its service hours, 0 outside; only branches that have service hours',
    ['branch'],
  );
  readonly jobsExpired = this.#declare.counter(
    'print_jobs_expired_total',
    'Jobs expired before an agent accepted them',
  );
  readonly jobsUnconfirmed = this.#declare.counter(
    'print_jobs_unconfirmed_total',
    'Jobs whose printing could not be confirmed',
  );
  readonly httpDuration = this.#declare.histogram(
    'http_request_duration_seconds',
    'HTTP request duration by route, method and status',
    LATENCY_BUCKETS,
    ['route', 'method', 'status_code'],
  );
  readonly httpRequests = this.#declare.counter('http_requests_total', 'HTTP requests by route, method and status', [
    'route',
    'method',
    'status_code',
  ]);
  readonly rateLimitRejections = this.#declare.counter(
    'rate_limit_rejections_total',
    'Requests refused by a rate limit',
    ['scope'],
  );
  readonly originRejections = this.#declare.counter(
    'cors_rejections_total',
    'Socket connections refused because their browser Origin is not in CORS_ORIGINS',
  );
  readonly handshakeRejections = this.#declare.counter(
    'handshake_rejections_total',
    'Socket handshakes refused, by kind (agent, web) and the error code behind it (AUTH_FAILED, LICENSE_INVALID, BRANCH_INACTIVE, ...)',
    ['kind', 'code'],
  );
  readonly statusBatches = this.#declare.counter('status_batches_total', 'printerStatusUpdate batches sent');
  readonly statusBatchSize = this.#declare.histogram(
    'status_batch_size',
    'Statuses per batch',
    [1, 2, 5, 10, 25, 50, 100, 500],
  );
  readonly renderDocuments = this.#declare.gauge(
    'render_documents',
    'Ticket documents on the render threads: running, or queued for a thread',
    ['state'],
  );
  readonly renders = this.#declare.counter(
    'renders_total',
    'Ticket documents rendered, by outcome (rendered, refused, busy, failed) and where (inline, thread)',
    ['outcome', 'where'],
  );
  readonly renderDuration = this.#declare.histogram(
    'render_duration_seconds',
    'Time to render a ticket document, queueing for a thread included',
    [0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    ['where'],
  );
  readonly webhookDeliveries = this.#declare.counter(
    'webhook_attempts_total',
    'Webhook attempts by outcome: delivered, retry (failed, tried again later), failed (given up)',
    ['outcome'],
  );
  readonly webhookRequestDuration = this.#declare.histogram(
    'webhook_request_duration_seconds',
    'Duration of webhook requests, to the end of the part of the answer read',
    LATENCY_BUCKETS,
  );
  readonly webhookLag = this.#declare.histogram(
    'webhook_delivery_lag_seconds',
    'Time from an event to its successful delivery, retries included',
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 6 * 3600, 24 * 3600],
  );
  readonly webhookEndpointsDisabled = this.#declare.counter(
    'webhook_endpoints_disabled_total',
    'Webhook endpoints this process disabled after a run of failures',
  );
  readonly retentionPurged = this.#declare.counter(
    'retention_purged_rows_total',
    'Rows the retention purge deleted, by table (PRINTERMASTER_RETENTION_*)',
    ['table'],
  );
  readonly cacheLookups = this.#declare.counter(
    'cache_lookups_total',
    'Reads of the in-memory caches (licences, tenants, printers, ticket previews) by result (hit, miss)',
    ['cache', 'result'],
  );
  readonly websocketMessages = this.#declare.counter(
    'websocket_messages_total',
    'Socket.IO messages (events and acknowledgements; not pings) by direction (in, out)',
    ['direction'],
  );
  readonly websocketDeflate = this.#declare.counter(
    'websocket_deflate_messages_total',
    'Socket.IO messages deflated for a connection, by way: compressed (a zlib run) or shared (the bytes of a run for another connection with the same message)',
    ['way'],
  );
  /** The CSV exports running and recently finished, with their counters (exports_total, export_rows_total). */
  readonly exports: ExportTracker;

  /** Reads the metrics above back, for the JSON views. */
  readonly reader = new MetricReader(this.registry);
  /** The rate limiters the core was built with (wrap the cluster's factory with it). */
  readonly limiters: RateLimitWatch;
  /** The store's slow statements (watch the database's queries with `slowQueries.record`). */
  readonly slowQueries: SlowQueryLog;
  /** Set once the edge is up (bindGatewayMetrics); the JSON views answer without it. */
  sources: ViewSources | undefined;

  constructor(
    version: string,
    options: {
      rateLimitWhitelist?: readonly string[];
      slowQueryMs?: number;
      /** What the views' lists keep; the defaults when not given. */
      bounds?: Pick<MemoryBounds, 'finishedExports' | 'slowQueries' | 'rateLimitKeys'>;
    } = {},
  ) {
    const bounds = options.bounds ?? DEFAULT_MEMORY_BOUNDS;
    this.#buildInfo.set({ version, node: process.version }, 1);
    this.#memoryLimit.set(memoryLimitBytes());
    this.exports = new ExportTracker(this.#declare, Date.now, bounds.finishedExports);
    this.limiters = new RateLimitWatch(options.rateLimitWhitelist ?? [], Date.now, bounds.rateLimitKeys);
    this.slowQueries = new SlowQueryLog(options.slowQueryMs ?? 1_000, bounds.slowQueries);
  }

  /**
   * Drops the per-printer and per-station series (canaries, station moves) of printers and
   * stations not in `existing`: deleted ones, whose series would otherwise stay until the process
   * restarts. Returns how many series went.
   */
  async forgetGone(existing: { printers: ReadonlySet<string>; stations: ReadonlySet<string> }): Promise<number> {
    const counts = await Promise.all([
      forgetSeries(this.canarySeconds, 'printer', existing.printers),
      forgetSeries(this.canaryFailures, 'printer', existing.printers),
      forgetSeries(this.stationMoves, 'station', existing.stations),
    ]);
    return counts.reduce((a, b) => a + b, 0);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
