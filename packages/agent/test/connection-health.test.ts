import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/backoff.js';
import { ConnectionHealth } from '../src/connection-health.js';

describe('connection health', () => {
  it('computes average latency, loss and quality over the recent pings', () => {
    const h = new ConnectionHealth();
    for (const l of [40, 60, 50, 50]) h.record(l, 1);
    expect(h.snapshot()).toMatchObject({
      averageLatency: 50,
      packetLossRate: 0,
      connectionQuality: 'excellent',
      totalPings: 4,
      successfulPongs: 4,
    });
    h.record(null, 2);
    expect(h.snapshot()).toMatchObject({ packetLossRate: 20, connectionQuality: 'poor' });
  });

  it('reports pong_timeout once after two missed pongs, and again only after a recovery', () => {
    const h = new ConnectionHealth();
    h.record(30, 1);
    expect(h.record(null, 2)).toBeUndefined();
    expect(h.record(null, 3)).toBe('pong_timeout');
    expect(h.record(null, 4)).toBeUndefined();
    h.record(30, 5);
    h.record(null, 6);
    expect(h.record(null, 7)).toBe('pong_timeout');
  });

  it('reports high_latency once when the average passes 500 ms', () => {
    const h = new ConnectionHealth();
    expect(h.record(900, 1)).toBe('high_latency');
    expect(h.record(800, 2)).toBeUndefined();
  });
});

describe('backoff', () => {
  it('grows exponentially with jitter and stays under the cap', () => {
    expect(backoffDelay(0, 1000, 30_000, () => 0)).toBe(500);
    expect(backoffDelay(0, 1000, 30_000, () => 1)).toBe(1000);
    expect(backoffDelay(3, 1000, 30_000, () => 1)).toBe(8000);
    expect(backoffDelay(20, 1000, 30_000, () => 1)).toBe(30_000);
    expect(backoffDelay(20, 1000, 30_000, () => 0)).toBe(15_000);
  });
});
