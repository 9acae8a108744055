import { describe, expect, it } from 'vitest';
import { GoneSessionSweep } from '../../src/core/gone-session-sweep.js';
import type { Logger } from '../../src/core/ports/logger.js';

/** A device store that records which instances each sweep treated as alive, and closes nothing. */
function recordingDevices() {
  const calls: { live: string[]; minAgeMs: number }[] = [];
  return {
    calls,
    closeSessionsOfGoneInstances: async (live: readonly string[], minAgeMs: number) => {
      calls.push({ live: [...live].sort(), minAgeMs });
      return 0;
    },
  };
}

const silent: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silent,
};

describe('GoneSessionSweep', () => {
  it('closes an instance only once it is missing at two sweeps in a row, and never its own', async () => {
    const registry: string[][] = [['a', 'b'], ['b'], ['b'], []];
    const devices = recordingDevices();
    const sweep = new GoneSessionSweep({
      listLive: async () => registry.shift() ?? [],
      devices,
      logger: silent,
      options: { instanceId: 'self', minAgeMs: 60_000 },
    });
    for (let i = 0; i < 4; i++) await sweep.sweep();
    expect(devices.calls.map((c) => c.live)).toEqual([
      ['a', 'b', 'self'],
      // `a` vanished from the registry (a Redis restart, a late heartbeat): still alive for this sweep.
      ['a', 'b', 'self'],
      // Missing twice in a row: its sessions may now be closed.
      ['b', 'self'],
      // An empty registry protects the instances of the sweep before.
      ['b', 'self'],
    ]);
    expect(devices.calls.every((c) => c.minAgeMs === 60_000)).toBe(true);
  });
});
