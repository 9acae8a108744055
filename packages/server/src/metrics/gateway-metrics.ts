import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { memoryLimitBytes } from './memory-limit.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20];

/**
 * Every Prometheus metric the gateway exports, `printermaster_` prefixed.
 * Gauges that mirror state elsewhere (job counts, connected agents) are filled
 * by `collect` callbacks at scrape time, so they cannot drift.
 */
export class GatewayMetrics {
  readonly registry = new Registry();

  readonly connections: Gauge<'kind'>;
  readonly uniqueUsers: Gauge;
  readonly connects: Counter<'kind'>;
  readonly disconnects: Counter<'kind' | 'reason'>;
  readonly connectionDuration: Histogram<'kind'>;
  readonly agentsConnected: Gauge<'protocol'>;
  readonly agentsByQuality: Gauge<'quality'>;
  readonly agentsHighLatency: Gauge;
  readonly agentLatency: Histogram;
  readonly pendingRequests: Gauge;
  readonly correlationResolution: Histogram<'type'>;
  readonly requestTimeouts: Counter<'type'>;
  readonly staleRequestsCleaned: Counter;
  readonly printJobs: Gauge<'state'>;
  readonly jobTransitions: Counter<'from' | 'to'>;
  readonly jobDuration: Histogram;
  readonly jobsExpired: Counter;
  readonly jobsUnconfirmed: Counter;
  readonly httpDuration: Histogram<'route' | 'method' | 'status_code'>;
  readonly httpRequests: Counter<'route' | 'method' | 'status_code'>;
  readonly rateLimitRejections: Counter<'scope'>;
  readonly originRejections: Counter;
  readonly statusBatches: Counter;
  readonly statusBatchSize: Histogram;
  readonly renderDocuments: Gauge<'state'>;
  readonly renders: Counter<'outcome' | 'where'>;
  readonly renderDuration: Histogram<'where'>;
  readonly ready: Gauge;

  constructor(version: string) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'printermaster_' });
    new Gauge({
      name: 'printermaster_build_info',
      help: 'Version of the running gateway (always 1)',
      labelNames: ['version', 'node'],
      registers,
    }).set({ version, node: process.version }, 1);
    new Gauge({
      name: 'printermaster_memory_limit_bytes',
      help: 'Memory the process may use (cgroup limit or machine memory)',
      registers,
    }).set(memoryLimitBytes());
    this.ready = new Gauge({
      name: 'printermaster_ready',
      help: '1 while the gateway takes traffic, 0 while starting or draining',
      registers,
    });
    this.connections = new Gauge({
      name: 'printermaster_websocket_connections',
      help: 'Open Socket.IO connections by kind',
      labelNames: ['kind'],
      registers,
    });
    this.uniqueUsers = new Gauge({
      name: 'printermaster_websocket_unique_users',
      help: 'Distinct web users connected',
      registers,
    });
    this.connects = new Counter({
      name: 'printermaster_websocket_connects_total',
      help: 'Socket.IO connections admitted',
      labelNames: ['kind'],
      registers,
    });
    this.disconnects = new Counter({
      name: 'printermaster_websocket_disconnects_total',
      help: 'Socket.IO disconnections by kind and reason',
      labelNames: ['kind', 'reason'],
      registers,
    });
    this.connectionDuration = new Histogram({
      name: 'printermaster_websocket_connection_duration_seconds',
      help: 'How long connections lasted',
      labelNames: ['kind'],
      buckets: [1, 10, 60, 300, 1800, 3600, 6 * 3600, 24 * 3600, 7 * 24 * 3600],
      registers,
    });
    this.agentsConnected = new Gauge({
      name: 'printermaster_agents_connected',
      help: 'Agents connected to this process',
      labelNames: ['protocol'],
      registers,
    });
    this.agentsByQuality = new Gauge({
      name: 'printermaster_agents_by_quality',
      help: 'Agents by connection quality',
      labelNames: ['quality'],
      registers,
    });
    this.agentsHighLatency = new Gauge({
      name: 'printermaster_agents_high_latency',
      help: 'Agents whose average latency is above 500 ms',
      registers,
    });
    this.agentLatency = new Histogram({
      name: 'printermaster_agent_latency_seconds',
      help: 'Round trips to agents (transport pings)',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.pendingRequests = new Gauge({
      name: 'printermaster_pending_requests',
      help: 'Socket requests waiting for an agent',
      registers,
    });
    this.correlationResolution = new Histogram({
      name: 'printermaster_correlation_resolution_seconds',
      help: 'Time from a socket request to its correlated reply',
      labelNames: ['type'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.requestTimeouts = new Counter({
      name: 'printermaster_request_timeouts_total',
      help: 'Socket requests that got no reply in time',
      labelNames: ['type'],
      registers,
    });
    this.staleRequestsCleaned = new Counter({
      name: 'printermaster_stale_requests_cleaned_total',
      help: 'Pending requests removed by the stale sweep',
      registers,
    });
    this.printJobs = new Gauge({
      name: 'printermaster_print_jobs',
      help: 'Print jobs in the store by state',
      labelNames: ['state'],
      registers,
    });
    this.jobTransitions = new Counter({
      name: 'printermaster_print_job_transitions_total',
      help: 'Print job state changes recorded by this process',
      labelNames: ['from', 'to'],
      registers,
    });
    this.jobDuration = new Histogram({
      name: 'printermaster_print_job_duration_seconds',
      help: 'Time from job creation to completion',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
      registers,
    });
    this.jobsExpired = new Counter({
      name: 'printermaster_print_jobs_expired_total',
      help: 'Jobs expired before an agent accepted them',
      registers,
    });
    this.jobsUnconfirmed = new Counter({
      name: 'printermaster_print_jobs_unconfirmed_total',
      help: 'Jobs whose printing could not be confirmed',
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'printermaster_http_request_duration_seconds',
      help: 'HTTP request duration by route, method and status',
      labelNames: ['route', 'method', 'status_code'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.httpRequests = new Counter({
      name: 'printermaster_http_requests_total',
      help: 'HTTP requests by route, method and status',
      labelNames: ['route', 'method', 'status_code'],
      registers,
    });
    this.rateLimitRejections = new Counter({
      name: 'printermaster_rate_limit_rejections_total',
      help: 'Requests refused by a rate limit',
      labelNames: ['scope'],
      registers,
    });
    this.originRejections = new Counter({
      name: 'printermaster_cors_rejections_total',
      help: 'Socket connections refused because their browser Origin is not in CORS_ORIGINS',
      registers,
    });
    this.statusBatches = new Counter({
      name: 'printermaster_status_batches_total',
      help: 'printerStatusUpdate batches sent',
      registers,
    });
    this.statusBatchSize = new Histogram({
      name: 'printermaster_status_batch_size',
      help: 'Statuses per batch',
      buckets: [1, 2, 5, 10, 25, 50, 100, 500],
      registers,
    });
    this.renderDocuments = new Gauge({
      name: 'printermaster_render_documents',
      help: 'Ticket documents on the render threads: running, or queued for a thread',
      labelNames: ['state'],
      registers,
    });
    this.renders = new Counter({
      name: 'printermaster_renders_total',
      help: 'Ticket documents rendered, by outcome (rendered, refused, busy, failed) and where (inline, thread)',
      labelNames: ['outcome', 'where'],
      registers,
    });
    this.renderDuration = new Histogram({
      name: 'printermaster_render_duration_seconds',
      help: 'Time to render a ticket document, queueing for a thread included',
      labelNames: ['where'],
      buckets: [0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }

  /** Fills a gauge from live state at every scrape. */
  collectFrom(
    gauge: Gauge<string>,
    collect: () => Promise<Record<string, number>> | Record<string, number>,
    label: string,
  ): void {
    const g = gauge as unknown as { collect?: () => Promise<void> };
    g.collect = async () => {
      const values = await collect();
      gauge.reset();
      for (const [value, n] of Object.entries(values)) gauge.set({ [label]: value }, n);
    };
  }

  /** Sets a gauge from live state at every scrape. */
  collectValue(gauge: Gauge, value: () => number): void {
    (gauge as unknown as { collect?: () => void }).collect = () => gauge.set(value());
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
