import { isoTime } from '@printermaster/protocol';
import type { UserPrincipal } from '../core/principal.js';
import type { HealthChecks } from '../health/health-checks.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { quantileOf } from './metric-reader.js';
import { RateWindow } from './rate-window.js';

/** Blocked keys listed per limiter at most (the count is always complete). */
const MAX_LISTED_KEYS = 50;

const PREFIX = 'printermaster_';

const ms = (seconds: number | undefined) => (seconds === undefined ? null : Math.round(seconds * 100_000) / 100);

/**
 * The JSON views of `/api/metrics/…` (docs/operations.md#json-metric-views), built from the
 * registry `/metrics` renders and from the live state its gauges are filled from. Each view is
 * this process's: behind a load balancer, each instance answers for itself.
 */
export class MetricViews {
  readonly #messages: RateWindow;

  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly health: HealthChecks,
    private readonly websocketStats: () => { webClients: number; uniqueUsers: number },
    now: () => number = Date.now,
  ) {
    this.#messages = new RateWindow(now);
  }

  /**
   * Connections by kind, agents, rooms and messages per second; for a user below super_admin,
   * only the agents of their company (branch_manager: branch): the rest is the process's.
   */
  async websocket(user: UserPrincipal) {
    const timestamp = isoTime(Date.now());
    const agents = (this.metrics.sources?.agents() ?? []).filter(
      (a) =>
        user.role === 'super_admin' ||
        (a.companyId === user.companyId && (user.role === 'company_owner' || a.branchId === user.branchId)),
    );
    const agentsByProtocol: Record<string, number> = { v2: 0, legacy: 0 };
    for (const a of agents) agentsByProtocol[a.protocol] = (agentsByProtocol[a.protocol] ?? 0) + 1;
    if (user.role !== 'super_admin') {
      const scope = { companyId: user.companyId, ...(user.branchId ? { branchId: user.branchId } : {}) };
      return { timestamp, scope, agents: agents.length, agentsByProtocol };
    }
    const reader = this.metrics.reader;
    const byKind = await reader.sumBy(`${PREFIX}websocket_connections`, 'kind');
    const messages = await reader.sumBy(`${PREFIX}websocket_messages_total`, 'direction');
    const { webClients, uniqueUsers } = this.websocketStats();
    const connectionsByKind = { agent: byKind.agent ?? 0, web: byKind.web ?? 0 };
    const rate = this.#messages.sample({ in: messages.in ?? 0, out: messages.out ?? 0 });
    return {
      timestamp,
      scope: 'process' as const,
      connections: connectionsByKind.agent + connectionsByKind.web,
      connectionsByKind,
      agents: agents.length,
      agentsByProtocol,
      webClients,
      uniqueUsers,
      rooms: this.metrics.sources?.rooms() ?? 0,
      messages: { in: messages.in ?? 0, out: messages.out ?? 0 },
      messagesPerSecond: rate,
    };
  }

  /** Each health check with its status and, for the store and Redis, its round trip. */
  async healthChecks() {
    const started = performance.now();
    const report = await this.health.report();
    const checks = Object.fromEntries(
      Object.entries(report.checks).map(([name, c]) => [
        name,
        {
          status: c.status,
          responseTimeMs: c.responseTime ?? null,
          ...(c.details ? { details: c.details } : {}),
          ...(c.error ? { error: c.error } : {}),
        },
      ]),
    );
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    return { timestamp: report.timestamp, status: report.status, ready: report.ready, durationMs, checks };
  }

  /** Each limiter with its budget, the keys it blocks now and its refusals since start. */
  async rateLimits() {
    const rejections = await this.metrics.reader.sumBy(`${PREFIX}rate_limit_rejections_total`, 'scope');
    const limiters = Object.fromEntries(
      this.metrics.limiters.limiters().map((l) => [
        l.scope,
        {
          name: l.name,
          points: l.points,
          durationS: l.durationS,
          blockedKeys: l.blocked.length,
          blocked: l.blocked.slice(0, MAX_LISTED_KEYS),
          rejections: rejections[l.scope] ?? 0,
        },
      ]),
    );
    return { timestamp: isoTime(Date.now()), whitelist: [...this.metrics.limiters.whitelist], limiters };
  }

  /** HTTP latency percentiles per route (estimated from the histogram's buckets), event-loop lag, slow statements. */
  async performance() {
    const groups = await this.metrics.reader.histogramBy(`${PREFIX}http_request_duration_seconds`, ['method', 'route']);
    const http: Record<string, { count: number; p50Ms: number | null; p95Ms: number | null; p99Ms: number | null }> =
      {};
    for (const g of [...groups.values()].sort((a, b) => (a.labels.route ?? '').localeCompare(b.labels.route ?? ''))) {
      http[`${g.labels.method} ${g.labels.route}`] = {
        count: g.counts.get(Number.POSITIVE_INFINITY) ?? 0,
        p50Ms: ms(quantileOf(g, 0.5)),
        p95Ms: ms(quantileOf(g, 0.95)),
        p99Ms: ms(quantileOf(g, 0.99)),
      };
    }
    return {
      timestamp: isoTime(Date.now()),
      percentiles: 'estimated from the buckets of printermaster_http_request_duration_seconds, since start',
      http,
      // The health checks' sampler (since start): reading prom-client's lag metrics would reset
      // the window the next Prometheus scrape reports.
      eventLoopLag: this.health.eventLoopLag(),
      slowQueryThresholdMs: this.metrics.slowQueries.thresholdMs,
      slowQueries: this.metrics.slowQueries.entries(),
    };
  }

  /**
   * The CSV exports running now and the last 50 finished on this process (ExportTracker), those of
   * the caller's scope: every one for a super_admin, a company's for its owner, a branch's for its manager.
   */
  async exports(user: UserPrincipal) {
    const scope =
      user.role === 'super_admin'
        ? ('process' as const)
        : { companyId: user.companyId, ...(user.branchId ? { branchId: user.branchId } : {}) };
    return { timestamp: isoTime(Date.now()), scope, ...this.metrics.exports.list(user) };
  }

  /** Hits, misses and hit rate of each in-memory cache, since start. */
  async caches() {
    const caches: Record<string, { hits: number; misses: number; hitRate: number | null }> = {};
    for (const s of await this.metrics.reader.series(`${PREFIX}cache_lookups_total`)) {
      const name = String(s.labels.cache);
      const c = caches[name] ?? { hits: 0, misses: 0, hitRate: null };
      caches[name] = c;
      if (s.labels.result === 'hit') c.hits += s.value;
      else c.misses += s.value;
    }
    for (const c of Object.values(caches)) {
      const total = c.hits + c.misses;
      c.hitRate = total === 0 ? null : Math.round((c.hits / total) * 10_000) / 10_000;
    }
    return { timestamp: isoTime(Date.now()), caches };
  }
}
