import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { housekeepingTasks } from '../../src/core/housekeeping.js';
import { startTestCore, type TestCore } from '../support/test-core.js';

/** Runbook 000 ("Cleanup Stale Requests"): operators grep pm2's logs for `Cleaned up.*stale` every 30 s. */
describe('the stale-request sweep', () => {
  let t: TestCore;
  const lines: { level: number; msg: string; count?: number; sweptLate?: number }[] = [];
  let sweep: () => Promise<void>;

  beforeAll(async () => {
    t = await startTestCore();
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const logger = pino({ level: 'info' }, sink);
    const tasks = housekeepingTasks({
      core: t.core,
      directory: { putMany: async () => {} } as never,
      branchesWithAgents: () => [],
      heartbeat: async () => {},
      intervals: {
        expirySweepMs: 60_000,
        staleSweepMs: 30_000,
        redispatchMs: 60_000,
        directoryTtlMs: 60_000,
        instanceTtlMs: 60_000,
        idempotencyPurgeMs: 60_000,
      },
      logger,
    });
    const task = tasks.find((x) => x.name === 'stale-requests');
    if (!task) throw new Error('no stale-requests task');
    sweep = async () => {
      await task.run();
    };
  });
  afterAll(() => t.close());

  const cleaned = () => lines.filter((l) => /^Cleaned up \d+ stale requests$/.test(l.msg));

  it('reports every sweep, counting the requests that timed out since the last one', async () => {
    await sweep();
    expect(cleaned().at(-1)).toMatchObject({ msg: 'Cleaned up 0 stale requests', count: 0, level: 30 });

    // Two requests end by their own timers, as nearly all do: the next sweep still reports them.
    const waits = ['a', 'b'].map((id) =>
      t.core.pending.register({ correlationId: id, type: 'printer_test', timeoutMs: 15_000 }).catch((e) => e),
    );
    await t.clock.advance(15_000);
    await Promise.all(waits);
    expect(t.core.pending.size).toBe(0);
    await sweep();
    expect(cleaned().at(-1)).toMatchObject({ msg: 'Cleaned up 2 stale requests', count: 2, sweptLate: 0, level: 40 });

    await sweep();
    expect(cleaned().at(-1)).toMatchObject({ msg: 'Cleaned up 0 stale requests', count: 0 });
    expect(lines.filter((l) => l.msg === 'Active pending requests: 0')).toHaveLength(3);
  });
});
