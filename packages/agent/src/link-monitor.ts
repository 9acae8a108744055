import { isoTime } from '@printermaster/protocol';
import type { AgentLogger } from './agent-logger.js';
import { ConnectionHealth } from './connection-health.js';
import type { GatewayConnection } from './gateway-connection.js';

export interface LinkMonitorDeps {
  connection: Pick<
    GatewayConnection,
    'connected' | 'branchId' | 'send' | 'request' | 'reconnectionCount' | 'connectionStartTime'
  >;
  logger: AgentLogger;
  now: () => number;
  deviceId: string;
  appVersion: string;
  /** How often `ping` runs, ms; a pong later than this (or 10 s) counts as lost. */
  pingIntervalMs: number;
}

/**
 * Measures the link to the gateway with acknowledged pings (docs/protocol.md#connection-quality), tells the
 * gateway when it degrades (`desktop:health:degraded`, once per episode) and sends the
 * periodic `desktop:health:report`.
 */
export class LinkMonitor {
  private readonly health = new ConnectionHealth();
  private readonly startedAt: number;

  constructor(private readonly deps: LinkMonitorDeps) {
    this.startedAt = deps.now();
  }

  async ping(): Promise<void> {
    const { connection, now } = this.deps;
    if (!connection.connected) return;
    const sent = now();
    const pong = await connection.request(
      'agent:ping',
      { timestamp: isoTime(sent) },
      Math.min(this.deps.pingIntervalMs, 10_000),
    );
    const degraded = this.health.record(pong ? now() - sent : null, now());
    if (!degraded) return;
    const snap = this.health.snapshot();
    this.deps.logger.warn({ reason: degraded, averageLatency: snap.averageLatency }, 'connection degraded');
    connection.send('desktop:health:degraded', {
      reason: degraded,
      ...(snap.lastPongTime ? { lastPongTime: isoTime(snap.lastPongTime) } : {}),
      timestamp: isoTime(now()),
    });
  }

  sendHealthReport(): void {
    const { connection, now } = this.deps;
    if (!connection.connected) return;
    const snap = this.health.snapshot();
    const since = connection.connectionStartTime;
    connection.send('desktop:health:report', {
      uptime: Math.round((now() - this.startedAt) / 1000),
      reconnectionCount: connection.reconnectionCount,
      averageLatency: snap.averageLatency,
      packetLossRate: snap.packetLossRate,
      totalPings: snap.totalPings,
      successfulPongs: snap.successfulPongs,
      connectionQuality: snap.connectionQuality,
      ...(snap.lastPongTime ? { lastPongTime: isoTime(snap.lastPongTime) } : {}),
      ...(since ? { connectionStartTime: isoTime(since) } : {}),
      branchId: connection.branchId,
      deviceId: this.deps.deviceId,
      appVersion: this.deps.appVersion,
      timestamp: isoTime(now()),
    });
  }
}
