import type { ConnectionQuality } from './agent-events.js';

/**
 * Connection quality from average latency (ms) and packet loss (percent, 0–100),
 * docs/protocol.md#connection-quality: excellent < 100 ms and < 1 %; good < 250 ms and < 5 %;
 * fair < 500 ms and < 10 %; poor otherwise.
 */
export function connectionQuality(averageLatencyMs: number, packetLossPercent: number): ConnectionQuality {
  if (averageLatencyMs < 100 && packetLossPercent < 1) return 'excellent';
  if (averageLatencyMs < 250 && packetLossPercent < 5) return 'good';
  if (averageLatencyMs < 500 && packetLossPercent < 10) return 'fair';
  return 'poor';
}

/** Average latency above which an agent is reported with a `high_latency` alert, ms. */
export const HIGH_LATENCY_MS = 500;
