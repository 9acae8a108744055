import { type ConnectionQuality, connectionQuality, HIGH_LATENCY_MS } from '@printermaster/protocol';

/** Pings remembered for latency and loss. */
const WINDOW = 20;

export interface HealthSnapshot {
  /** ms, over the successful pings in the window; 0 before the first. */
  averageLatency: number;
  /** percent of pings in the window that got no pong. */
  packetLossRate: number;
  totalPings: number;
  successfulPongs: number;
  connectionQuality: ConnectionQuality;
  /** Unix ms of the last pong, or undefined. */
  lastPongTime: number | undefined;
}

export type DegradedReason = 'pong_timeout' | 'high_latency';

/**
 * The agent's view of its link to the gateway, from acknowledged pings.
 * `record` returns a reason when the link just became degraded (two missed
 * pongs in a row, or average latency above 500 ms) — once per episode, so the
 * gateway gets one `desktop:health:degraded`, not one per ping.
 */
export class ConnectionHealth {
  private readonly samples: (number | null)[] = [];
  private totalPings = 0;
  private successfulPongs = 0;
  private missedInARow = 0;
  private lastPongTime: number | undefined;
  private degraded = new Set<DegradedReason>();

  record(latencyMs: number | null, now: number): DegradedReason | undefined {
    this.totalPings++;
    this.samples.push(latencyMs);
    if (this.samples.length > WINDOW) this.samples.shift();
    if (latencyMs === null) {
      this.missedInARow++;
    } else {
      this.successfulPongs++;
      this.missedInARow = 0;
      this.lastPongTime = now;
      this.degraded.delete('pong_timeout');
    }
    const snapshot = this.snapshot();
    if (snapshot.averageLatency <= HIGH_LATENCY_MS) this.degraded.delete('high_latency');
    if (this.missedInARow >= 2 && !this.degraded.has('pong_timeout')) {
      this.degraded.add('pong_timeout');
      return 'pong_timeout';
    }
    if (snapshot.averageLatency > HIGH_LATENCY_MS && !this.degraded.has('high_latency')) {
      this.degraded.add('high_latency');
      return 'high_latency';
    }
    return undefined;
  }

  snapshot(): HealthSnapshot {
    const ok = this.samples.filter((s): s is number => s !== null);
    const averageLatency = ok.length === 0 ? 0 : Math.round(ok.reduce((a, b) => a + b, 0) / ok.length);
    const packetLossRate =
      this.samples.length === 0 ? 0 : Math.round(((this.samples.length - ok.length) / this.samples.length) * 1000) / 10;
    return {
      averageLatency,
      packetLossRate,
      totalPings: this.totalPings,
      successfulPongs: this.successfulPongs,
      connectionQuality: connectionQuality(averageLatency, packetLossRate),
      lastPongTime: this.lastPongTime,
    };
  }
}
