import type { ConnectionQuality, DesktopHealthEntry, DesktopHealthSummary } from '@printermaster/protocol';
import { isoTime } from '@printermaster/protocol';
import type { AgentHealthTracker, HealthHistoryEntry } from './agent-health-tracker.js';
import type { Clock } from './clock.js';
import type { ClusterRpc } from './cluster-rpc.js';
import { GatewayError } from './gateway-error.js';
import { DEFAULT_MEMORY_BOUNDS } from './memory-bounds.js';
import type { AgentDirectory, AgentRecord } from './ports/agent-directory.js';
import { ADMIN_VIEW_ROLES, listScope, requireRole, type UserPrincipal } from './principal.js';

export type { DesktopHealthEntry, DesktopHealthSummary };

/** How long the summary is served from cache, ms (runbooks: 60 s). */
export const SUMMARY_CACHE_MS = 60_000;

export interface DesktopHealthServiceDeps {
  directory: AgentDirectory;
  tracker: AgentHealthTracker;
  rpc: ClusterRpc;
  clock: Clock;
  /**
   * Summaries cached at most: one per scope asked for (the branch filter is the caller's text);
   * PRINTERMASTER_HEALTH_SUMMARY_CACHE_MAX, the default when not given.
   */
  maxCached?: number;
}

/** The desktop-health views, across every gateway process (through the agent directory). */
export class DesktopHealthService {
  private readonly directory: AgentDirectory;
  private readonly tracker: AgentHealthTracker;
  private readonly rpc: ClusterRpc;
  private readonly clock: Clock;
  private readonly maxCached: number;
  private readonly cache = new Map<string, { at: number; value: DesktopHealthSummary }>();

  constructor(deps: DesktopHealthServiceDeps) {
    this.directory = deps.directory;
    this.tracker = deps.tracker;
    this.rpc = deps.rpc;
    this.maxCached = deps.maxCached ?? DEFAULT_MEMORY_BOUNDS.healthSummaryCache;
    this.clock = deps.clock;

    deps.rpc.handle('health.history', ({ branchId, deviceId }) => this.tracker.history(branchId, deviceId) ?? []);
  }

  async summary(user: UserPrincipal, filter: { companyId?: string; branchId?: string }): Promise<DesktopHealthSummary> {
    requireRole(user, ADMIN_VIEW_ROLES);
    const scope = listScope(user, filter);
    const key = `${scope.companyId ?? '*'}|${scope.branchId ?? '*'}`;
    const cached = this.cache.get(key);
    if (cached && this.clock.now() - cached.at < SUMMARY_CACHE_MS) return cached.value;
    const records = await this.directory.list(scope);
    const healthMetrics = records.map((r) => this.entry(r)).sort((a, b) => a.deviceId.localeCompare(b.deviceId));
    const summary: Record<ConnectionQuality, number> = { excellent: 0, good: 0, fair: 0, poor: 0 };
    for (const e of healthMetrics) summary[e.connectionQuality]++;
    const value = {
      timestamp: isoTime(this.clock.now()),
      totalClients: healthMetrics.length,
      healthMetrics,
      summary,
    };
    this.remember(key, value);
    return value;
  }

  private remember(key: string, value: DesktopHealthSummary): void {
    const now = this.clock.now();
    this.cache.delete(key);
    // Insertion order is age order: the expired go first, then the oldest beyond the bound.
    for (const [k, entry] of this.cache) {
      if (now - entry.at < SUMMARY_CACHE_MS && this.cache.size < this.maxCached) break;
      this.cache.delete(k);
    }
    this.cache.set(key, { at: now, value });
  }

  /** One device, live, with its latency history (the last 100 samples). */
  async detail(
    user: UserPrincipal,
    deviceId: string,
    branchId?: string,
  ): Promise<DesktopHealthEntry & { metricsHistory: HealthHistoryEntry[] }> {
    requireRole(user, ADMIN_VIEW_ROLES);
    const scope = listScope(user, { branchId });
    const record = (await this.directory.list(scope)).find((r) => r.deviceId === deviceId);
    if (!record)
      throw new GatewayError('NOT_FOUND', { message: `no connected agent with device id ${deviceId} in your scope` });
    let metricsHistory: HealthHistoryEntry[];
    if (record.instanceId === this.rpc.instanceId) {
      metricsHistory = this.tracker.history(record.branchId, deviceId) ?? [];
    } else {
      metricsHistory = await this.rpc
        .call(record.instanceId, 'health.history', { branchId: record.branchId, deviceId }, 2_000)
        .catch(() => []);
    }
    return { ...this.entry(record), metricsHistory };
  }

  private entry(r: AgentRecord): DesktopHealthEntry {
    return {
      clientId: `${r.branchId}:${r.deviceId}`,
      branchId: r.branchId,
      companyId: r.companyId,
      deviceId: r.deviceId,
      protocol: r.protocol,
      ...(r.appVersion ? { appVersion: r.appVersion } : {}),
      instanceId: r.instanceId,
      uptime: Math.max(0, Math.round((this.clock.now() - r.connectedAt) / 1000)),
      reconnectionCount: r.health.reconnectionCount,
      averageLatency: r.health.averageLatency,
      packetLossRate: r.health.packetLossRate,
      connectionQuality: r.health.connectionQuality,
      lastHeartbeat: r.health.lastHeartbeat ?? null,
      lastHealthReport: r.health.lastHealthReport ?? null,
      ...(r.health.journalDamage ? { journalDamage: r.health.journalDamage } : {}),
    };
  }
}
