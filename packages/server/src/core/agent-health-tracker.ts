import type { HealthHistoryEntry } from '@printermaster/protocol';
import {
  type ConnectionQuality,
  connectionQuality,
  type DesktopHealthAlertEvent,
  type DesktopHealthReport,
  HIGH_LATENCY_MS,
  isoTime,
} from '@printermaster/protocol';
import type { AgentHealthTrackerDeps, AgentHealthTrackerOptions } from './agent-health-tracker-deps.js';
import type { Clock } from './clock.js';
import { DEFAULT_MEMORY_BOUNDS } from './memory-bounds.js';
import type { AgentDirectory, AgentHealthSnapshot, AgentRecord, JournalDamageNotice } from './ports/agent-directory.js';
import type { ConnectedAgent } from './ports/agent-link.js';
import type { Broadcaster } from './ports/broadcaster.js';
import type { Logger } from './ports/logger.js';
import { RecentlyGone } from './recently-gone.js';

export type { AgentHealthTrackerDeps, AgentHealthTrackerOptions, HealthHistoryEntry };

/** Samples kept for the latency average and loss rate. */
const WINDOW = 20;
/** Disconnect reasons of a link that failed (Engine.IO's): each counts as a lost ping. */
const LINK_LOST = new Set(['ping timeout', 'transport close', 'transport error']);

interface DeviceHealth {
  agent: ConnectedAgent;
  appVersion: string | undefined;
  samples: (number | null)[];
  history: HealthHistoryEntry[];
  reported?: DesktopHealthReport;
  reportedAt?: number;
  lastHeartbeat?: number;
  connectsSeen: number;
  journalDamage?: JournalDamageNotice;
  alerts: { poor: boolean; highLatency: boolean; degraded: boolean };
}

/**
 * Connection health of the agents on this process. Latency is measured by the
 * gateway for every agent — legacy clients included — from the transport's
 * own ping/pong; a v2 agent's report is combined in (the worse of the two
 * counts). Alerts go out once per state change, with a notice on recovery.
 */
export class AgentHealthTracker {
  private readonly directory: AgentDirectory;
  private readonly broadcaster: Broadcaster;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly options: AgentHealthTrackerOptions;
  private readonly devices = new Map<string, DeviceHealth>();
  private readonly gone: RecentlyGone;
  private readonly historySize: number;

  constructor(deps: AgentHealthTrackerDeps) {
    this.directory = deps.directory;
    this.broadcaster = deps.broadcaster;
    this.clock = deps.clock;
    const bounds = deps.options.bounds ?? DEFAULT_MEMORY_BOUNDS;
    this.historySize = bounds.agentHealthSamples;
    this.gone = new RecentlyGone(deps.clock, bounds.departedAgentKeepMs, bounds.departedAgents);
    this.logger = deps.logger;
    this.options = deps.options;
  }

  connected(agent: ConnectedAgent, appVersion: string | undefined): void {
    const key = keyOf(agent);
    const previous = this.devices.get(key);
    // A device back after a drop goes on with its record, the drop counted as a lost ping.
    const gone = previous ? undefined : this.gone.take(key);
    // Counted with the device's record, so that a device id is forgotten with it: ids are chosen
    // by the client, and a count kept apart grew by one entry per id ever seen.
    const connects = (previous?.connectsSeen ?? gone?.connects ?? 0) + 1;
    this.devices.set(key, {
      agent,
      appVersion,
      samples: gone?.samples ?? [],
      history: previous?.history ?? gone?.history ?? [],
      connectsSeen: connects,
      alerts: previous?.alerts ?? { poor: false, highLatency: false, degraded: false },
    });
    void this.publish(key);
  }

  /** `reason` is the socket's disconnect reason: a failed link is recorded as a lost ping. */
  disconnected(agent: ConnectedAgent, reason?: string): void {
    const key = keyOf(agent);
    const d = this.devices.get(key);
    if (d?.agent !== agent) return;
    this.devices.delete(key);
    if (reason !== undefined && LINK_LOST.has(reason)) {
      d.samples = [...d.samples, null].slice(-WINDOW);
      const quality = this.snapshotOf(d).connectionQuality;
      d.history = [...d.history, { timestamp: isoTime(this.clock.now()), latency: null, quality }].slice(
        -this.historySize,
      );
    }
    this.gone.remember(key, { history: d.history, samples: d.samples, connects: d.connectsSeen });
    void this.directory
      .remove(agent.branchId, agent.deviceId, this.options.instanceId)
      .catch((err: unknown) => this.logger.error({ err, deviceId: agent.deviceId }, 'agent directory update failed'));
  }

  /** A transport round trip (ms), or `null` for a ping that got no pong before the next one. */
  sample(agent: ConnectedAgent, latencyMs: number | null): void {
    const d = this.devices.get(keyOf(agent));
    if (!d || d.agent !== agent) return;
    d.samples.push(latencyMs);
    if (d.samples.length > WINDOW) d.samples.shift();
    if (latencyMs !== null) {
      d.lastHeartbeat = this.clock.now();
      this.options.onLatencySample?.(latencyMs / 1000);
    }
    const snapshot = this.snapshotOf(d);
    d.history.push({
      timestamp: isoTime(this.clock.now()),
      latency: latencyMs,
      quality: snapshot.connectionQuality,
    });
    if (d.history.length > this.historySize) d.history.shift();
    this.evaluate(d, snapshot);
    void this.publish(keyOf(agent));
  }

  /** A v2 agent's own `desktop:health:report`. */
  report(agent: ConnectedAgent, report: DesktopHealthReport): void {
    const d = this.devices.get(keyOf(agent));
    if (!d || d.agent !== agent) return;
    d.reported = report;
    d.reportedAt = this.clock.now();
    d.lastHeartbeat = this.clock.now();
    this.evaluate(d, this.snapshotOf(d));
    void this.publish(keyOf(agent));
  }

  /** `desktop:health:degraded` from the agent. */
  degraded(agent: ConnectedAgent, reason: string): void {
    const d = this.devices.get(keyOf(agent));
    if (!d) return;
    if (!d.alerts.degraded) {
      d.alerts.degraded = true;
      this.alert(d, 'connection_degraded', reason === 'pong_timeout' ? 'high' : 'medium', reason);
    }
  }

  snapshot(agent: ConnectedAgent): AgentHealthSnapshot | undefined {
    const d = this.devices.get(keyOf(agent));
    return d && this.snapshotOf(d);
  }

  history(branchId: string, deviceId: string): HealthHistoryEntry[] | undefined {
    return this.devices.get(`${branchId}\u0000${deviceId}`)?.history.slice();
  }

  /** Directory records of this process's agents (periodic refresh). */
  records(): AgentRecord[] {
    return [...this.devices.values()].map((d) => this.recordOf(d));
  }

  /** Counts by quality and how many are above 500 ms (metrics). */
  counts(): { byQuality: Record<ConnectionQuality, number>; highLatency: number } {
    const byQuality: Record<ConnectionQuality, number> = { excellent: 0, good: 0, fair: 0, poor: 0 };
    let highLatency = 0;
    for (const d of this.devices.values()) {
      const s = this.snapshotOf(d);
      byQuality[s.connectionQuality]++;
      if (s.averageLatency > HIGH_LATENCY_MS) highLatency++;
    }
    return { byQuality, highLatency };
  }

  private snapshotOf(d: DeviceHealth): AgentHealthSnapshot {
    const ok = d.samples.filter((s): s is number => s !== null);
    const measuredLatency = ok.length === 0 ? undefined : ok.reduce((a, b) => a + b, 0) / ok.length;
    const measuredLoss = d.samples.length === 0 ? undefined : ((d.samples.length - ok.length) / d.samples.length) * 100;
    const reportedLatency = d.reported?.averageLatency;
    const reportedLoss = d.reported?.packetLossRate;
    // The worse of the gateway's view and the agent's own: either side may see trouble the other cannot.
    const averageLatency = Math.round(Math.max(measuredLatency ?? 0, reportedLatency ?? 0));
    const packetLossRate = Math.round(Math.max(measuredLoss ?? 0, reportedLoss ?? 0) * 10) / 10;
    return {
      averageLatency,
      packetLossRate,
      connectionQuality: connectionQuality(averageLatency, packetLossRate),
      reconnectionCount: d.reported?.reconnectionCount ?? Math.max(0, d.connectsSeen - 1),
      lastHeartbeat: d.lastHeartbeat ? isoTime(d.lastHeartbeat) : undefined,
      lastHealthReport: d.reportedAt ? isoTime(d.reportedAt) : undefined,
      ...(d.journalDamage ? { journalDamage: d.journalDamage } : {}),
    };
  }

  private recordOf(d: DeviceHealth): AgentRecord {
    return {
      deviceId: d.agent.deviceId,
      branchId: d.agent.branchId,
      companyId: d.agent.companyId,
      instanceId: this.options.instanceId,
      protocol: d.agent.protocol,
      connectedAt: d.agent.connectedAt,
      address: d.agent.address,
      appVersion: d.appVersion,
      health: this.snapshotOf(d),
    };
  }

  /** Raises an alert for each condition that just began; one recovery notice once none is left. */
  private evaluate(d: DeviceHealth, s: AgentHealthSnapshot): void {
    const poor = s.connectionQuality === 'poor';
    const high = s.averageLatency > HIGH_LATENCY_MS;
    const wasRaised = d.alerts.poor || d.alerts.highLatency || d.alerts.degraded;
    if (poor && !d.alerts.poor) {
      this.alert(
        d,
        'poor_connection_quality',
        'high',
        `connection quality is poor (${s.averageLatency} ms, ${s.packetLossRate} % loss)`,
        s,
      );
    }
    if (high && !d.alerts.highLatency) {
      this.alert(
        d,
        'high_latency',
        'medium',
        `average latency ${s.averageLatency} ms is above ${HIGH_LATENCY_MS} ms`,
        s,
      );
    }
    d.alerts.poor = poor;
    d.alerts.highLatency = high;
    // A degraded report clears once the link looks healthy again and the last ping got its pong.
    if (d.alerts.degraded && !poor && !high && d.samples.at(-1) !== null) d.alerts.degraded = false;
    if (wasRaised && !d.alerts.poor && !d.alerts.highLatency && !d.alerts.degraded) {
      this.alert(d, 'recovered', 'low', `connection back to ${s.connectionQuality} (${s.averageLatency} ms)`, s);
    }
  }

  /** The agent found its journal damaged at start-up (`agent:journal:damaged`): kept in its health, and an alert. */
  journalDamaged(agent: ConnectedAgent, notice: JournalDamageNotice): void {
    const d = this.devices.get(keyOf(agent));
    if (!d || d.agent !== agent) return;
    d.journalDamage = notice;
    this.alert(
      d,
      'journal_damaged',
      'high',
      `the agent journal was damaged (${notice.damagedLines} unreadable lines, kept aside as ${notice.file}); ` +
        `${notice.unconfirmedJobIds.length} jobs that may have printed were marked unconfirmed`,
    );
    void this.publish(keyOf(agent));
  }

  private alert(
    d: DeviceHealth,
    type: DesktopHealthAlertEvent['type'],
    severity: 'critical' | 'high' | 'medium' | 'low',
    reason: string,
    s: AgentHealthSnapshot = this.snapshotOf(d),
  ): void {
    this.logger.warn({ deviceId: d.agent.deviceId, branchId: d.agent.branchId, type, reason }, 'desktop health alert');
    this.broadcaster.healthAlert(d.agent.companyId, {
      severity,
      type,
      deviceId: d.agent.deviceId,
      branchId: d.agent.branchId,
      reason,
      metrics: {
        averageLatency: s.averageLatency,
        packetLossRate: s.packetLossRate,
        connectionQuality: s.connectionQuality,
      },
      timestamp: isoTime(this.clock.now()),
    });
  }

  private async publish(key: string): Promise<void> {
    const d = this.devices.get(key);
    if (!d) return;
    try {
      await this.directory.put(this.recordOf(d), this.options.directoryTtlMs);
    } catch (err) {
      this.logger.error({ err, deviceId: d.agent.deviceId }, 'agent directory update failed');
    }
  }
}

function keyOf(agent: ConnectedAgent): string {
  return `${agent.branchId}\u0000${agent.deviceId}`;
}
