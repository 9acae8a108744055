import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/cluster/cluster.js';
import type { AgentRecord } from '../../src/core/ports/agent-directory.js';
import { eventually } from '../support/socket-clients.js';

const record = (deviceId: string, instanceId: string, branchId = 'b1', companyId = 'c1'): AgentRecord => ({
  deviceId,
  branchId,
  companyId,
  instanceId,
  protocol: 'v2',
  connectedAt: Date.now(),
  address: '10.0.0.1',
  appVersion: '2.1.0',
  health: {
    averageLatency: 20,
    packetLossRate: 0,
    connectionQuality: 'excellent',
    reconnectionCount: 0,
    lastHeartbeat: undefined,
    lastHealthReport: undefined,
  },
});

/** The same behaviour from every implementation of the cluster ports (memory and Redis). */
export function describeCluster(
  label: string,
  setup: () => Promise<{ cluster: Cluster; teardown: () => Promise<void> }>,
) {
  describe(`cluster ports (${label})`, () => {
    let cluster: Cluster;
    let teardown: () => Promise<void>;
    beforeEach(async () => {
      ({ cluster, teardown } = await setup());
    });
    afterEach(async () => {
      await cluster.close();
      await teardown();
    });

    it('finds agents by branch and company and forgets them after their TTL', async () => {
      await cluster.directory.put(record('a1', 'gw-1'), 60_000);
      await cluster.directory.putMany([record('a2', 'gw-2'), record('a3', 'gw-1', 'b2', 'c2')], 60_000);
      expect((await cluster.directory.inBranch('b1')).map((r) => r.deviceId).sort()).toEqual(['a1', 'a2']);
      expect((await cluster.directory.list({ companyId: 'c2' })).map((r) => r.deviceId)).toEqual(['a3']);
      expect((await cluster.directory.list()).length).toBe(3);
      expect((await cluster.directory.find('b1', 'a2'))?.instanceId).toBe('gw-2');
      await cluster.directory.put(record('short', 'gw-1'), 50);
      // Expiry is the store's own clock (Redis's, for Redis): polled until it has passed.
      await eventually(
        async () => (await cluster.directory.find('b1', 'short')) === undefined,
        5_000,
        'the short-lived record forgotten',
      );
      expect((await cluster.directory.list()).length).toBe(3);
    });

    it('ignores a late remove from a process that no longer holds the agent', async () => {
      await cluster.directory.put(record('a1', 'gw-1'), 60_000);
      await cluster.directory.put(record('a1', 'gw-2'), 60_000);
      await cluster.directory.remove('b1', 'a1', 'gw-1');
      expect((await cluster.directory.find('b1', 'a1'))?.instanceId).toBe('gw-2');
      await cluster.directory.remove('b1', 'a1', 'gw-2');
      expect(await cluster.directory.find('b1', 'a1')).toBeUndefined();
    });

    it('delivers bus messages to subscribers of the channel only', async () => {
      const got: unknown[] = [];
      let markerArrived: () => void = () => {};
      const marker = new Promise<void>((resolve) => {
        markerArrived = resolve;
      });
      await cluster.bus.subscribe('jobs.ready', (m) => {
        got.push(m);
        if ((m as { marker?: boolean }).marker) markerArrived();
      });
      await cluster.bus.subscribe('other', () => got.push('wrong'));
      await cluster.bus.publish('jobs.ready', { branchId: 'b1' });
      // Published last, delivered last (one subscriber connection keeps the order): a message
      // wrongly delivered to the other channel's handler would be in by then.
      await cluster.bus.publish('jobs.ready', { marker: true });
      await marker;
      expect(got).toEqual([{ branchId: 'b1' }, { marker: true }]);
    });

    it('registers gateway instances until their heartbeat expires', async () => {
      const base = {
        host: 'h',
        port: 3001,
        version: '1',
        startedAt: 1,
        lastSeen: Date.now(),
        connectionCount: 0,
        requestCount: 0,
        ready: true,
      };
      await cluster.instances.heartbeat({ ...base, id: 'gw-1' }, 60_000);
      await cluster.instances.heartbeat({ ...base, id: 'gw-2' }, 50);
      await eventually(async () => (await cluster.instances.list()).length === 1, 5_000, 'the expired instance gone');
      expect((await cluster.instances.list()).map((i) => i.id)).toEqual(['gw-1']);
    });

    it('limits by key and tells how long to wait', async () => {
      const limiter = cluster.rateLimiter(2, 60, `t${Date.now()}`);
      expect(await limiter.consume('k')).toBeUndefined();
      expect(await limiter.consume('k')).toBeUndefined();
      const wait = await limiter.consume('k');
      expect(wait).toBeGreaterThan(0);
      expect(await limiter.consume('other')).toBeUndefined();
    });
  });
}
