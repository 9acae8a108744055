import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { MemoryAgentDirectory } from '../../src/cluster/memory-agent-directory.js';
import { AgentHealthTracker, type AgentHealthTrackerOptions } from '../../src/core/agent-health-tracker.js';
import type { ConnectedAgent } from '../../src/core/ports/agent-link.js';
import { RoomBroadcaster } from '../../src/gateway/room-broadcaster.js';
import { FakeClock } from '../support/fake-clock.js';

const logger = pino({ level: 'silent' });

function trackerOn(clock: FakeClock, bounds?: AgentHealthTrackerOptions['bounds']): AgentHealthTracker {
  return new AgentHealthTracker({
    directory: new MemoryAgentDirectory(() => clock.now()),
    broadcaster: new RoomBroadcaster({ logger, clock, options: { statusBatchWindowMs: 100, localOnly: true } }),
    clock,
    logger,
    options: { instanceId: 'test', directoryTtlMs: 60_000, ...(bounds ? { bounds } : {}) },
  });
}

function legacyAgent(clock: FakeClock, deviceId: string): ConnectedAgent {
  return {
    deviceId,
    companyId: 'c1',
    branchId: 'b1',
    licenseId: 'l1',
    address: '127.0.0.1',
    protocol: 'legacy',
    capabilities: [],
    connectedAt: clock.now(),
  };
}

/** One connection of the device that ends with a dropped link; answers its reconnection count while it lasted. */
function visitor(tracker: AgentHealthTracker, clock: FakeClock): (deviceId: string) => number | undefined {
  return (deviceId) => {
    const agent = legacyAgent(clock, deviceId);
    tracker.connected(agent, undefined);
    const count = tracker.snapshot(agent)?.reconnectionCount;
    tracker.disconnected(agent, 'transport close');
    return count;
  };
}

/**
 * The health tracker keeps what it knows of an agent with the agent's record: device ids are the
 * clients' own text, so nothing of a device may outlive its record (which a departed device keeps
 * for 15 minutes, 1,000 devices at most), or a long-running process grows by one entry per id.
 */
describe('the health tracker counts a legacy agent’s reconnections with its record', () => {
  const clock = new FakeClock();
  const visit = visitor(trackerOn(clock), clock);

  it('goes on counting a device that comes back within 15 minutes', async () => {
    expect([visit('pc-1'), visit('pc-1'), visit('pc-1')]).toEqual([0, 1, 2]);
    await clock.advance(14 * 60_000);
    expect(visit('pc-1')).toBe(3);
  });

  it('starts again from 0 for a device away longer, its earlier count forgotten', async () => {
    expect([visit('pc-2'), visit('pc-2')]).toEqual([0, 1]);
    await clock.advance(15 * 60_000 + 1);
    expect(visit('pc-2')).toBe(0);
  });

  it('forgets the oldest departed devices beyond 1,000, counts included', () => {
    expect(visit('pc-3')).toBe(0);
    for (let i = 0; i < 1_000; i++) visit(`flood-${i}`);
    expect(visit('pc-3')).toBe(0);
    expect(visit('flood-999')).toBe(1);
  });
});

describe('the health tracker holds to the bounds it is configured with', () => {
  const clock = new FakeClock();

  it('remembers no departed device with PRINTERMASTER_DEPARTED_AGENTS_MAX=0', () => {
    const tracker = trackerOn(clock, { agentHealthSamples: 100, departedAgents: 0, departedAgentKeepMs: 900_000 });
    const visit = visitor(tracker, clock);
    expect([visit('pc-0'), visit('pc-0'), visit('pc-0')]).toEqual([0, 0, 0]);
  });

  it('forgets a departed device after PRINTERMASTER_DEPARTED_AGENT_KEEP_S', async () => {
    const tracker = trackerOn(clock, { agentHealthSamples: 100, departedAgents: 10, departedAgentKeepMs: 30_000 });
    const visit = visitor(tracker, clock);
    expect([visit('pc-k'), visit('pc-k')]).toEqual([0, 1]);
    await clock.advance(30_001);
    expect(visit('pc-k')).toBe(0);
  });

  it('keeps PRINTERMASTER_AGENT_HEALTH_SAMPLES entries of history per agent', () => {
    const tracker = trackerOn(clock, { agentHealthSamples: 3, departedAgents: 10, departedAgentKeepMs: 900_000 });
    const a = legacyAgent(clock, 'pc-h');
    tracker.connected(a, undefined);
    for (const latency of [10, 20, 30, 40, 50]) tracker.sample(a, latency);
    expect(tracker.history('b1', 'pc-h')?.map((entry) => entry.latency)).toEqual([30, 40, 50]);
    // A link that failed adds a lost sample to the history its device comes back with, bounded too.
    tracker.disconnected(a, 'ping timeout');
    tracker.connected(a, undefined);
    expect(tracker.history('b1', 'pc-h')?.map((entry) => entry.latency)).toEqual([40, 50, null]);
  });
});
