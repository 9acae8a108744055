import { describe, expect, it } from 'vitest';
import { EventFeed } from '../../src/core/event-feed.js';
import { EventSequencer } from '../../src/core/event-sequencer.js';
import type { SequencedBatch, SequencedEvent } from '../../src/core/ports/event-store.js';
import type { Logger } from '../../src/core/ports/logger.js';
import type { UserPrincipal } from '../../src/core/principal.js';
import { FakeClock } from '../support/fake-clock.js';

const silent: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silent,
};

/** An outbox of `waiting` events; each pass takes up to `limit` of them, one pass at a time, released by the test. */
function manualOutbox() {
  let waiting = 0;
  let last = 0;
  const passes: { limit: number; release: () => void }[] = [];
  return {
    passes,
    write(n: number) {
      waiting += n;
    },
    get waiting() {
      return waiting;
    },
    sequence(limit: number): Promise<SequencedBatch> {
      return new Promise((resolve) => {
        passes.push({
          limit,
          release: () => {
            const count = Math.min(limit, waiting);
            waiting -= count;
            last += count;
            resolve({ count, lastSeq: String(last), deliveries: 0 });
          },
        });
      });
    },
  };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('EventSequencer', () => {
  it('runs a pass at start, again at once while passes are full, then after a nudge’s gathering or its interval', async () => {
    const clock = new FakeClock();
    const outbox = manualOutbox();
    const announced: SequencedBatch[] = [];
    const sequencer = new EventSequencer({
      events: outbox,
      clock,
      logger: silent,
      options: { intervalMs: 200, batchSize: 2, gatherMs: 20 },
      onSequenced: (b) => announced.push(b),
    });
    outbox.write(3);
    sequencer.start();
    expect(outbox.passes).toHaveLength(1);
    outbox.passes[0]?.release();
    await settle();
    // Full (2 of 2): the next pass follows at once and takes the last one.
    expect(outbox.passes).toHaveLength(2);
    outbox.passes[1]?.release();
    await settle();
    expect(announced.map((b) => b.lastSeq)).toEqual(['2', '3']);
    expect(outbox.passes).toHaveLength(2);
    // A nudge runs one after gathering for gatherMs; the interval one otherwise.
    outbox.write(1);
    sequencer.nudge();
    sequencer.nudge();
    expect(outbox.passes).toHaveLength(2);
    await clock.advance(20);
    expect(outbox.passes).toHaveLength(3);
    outbox.passes[2]?.release();
    await settle();
    await clock.advance(199);
    expect(outbox.passes).toHaveLength(3);
    await clock.advance(1);
    expect(outbox.passes).toHaveLength(4);
    outbox.passes[3]?.release();
    await sequencer.stop();
    expect(announced.map((b) => b.count)).toEqual([2, 1, 1]);
  });

  it('folds the nudges that come during a pass into one pass after it', async () => {
    const clock = new FakeClock();
    const outbox = manualOutbox();
    const sequencer = new EventSequencer({
      events: outbox,
      clock,
      logger: silent,
      options: { intervalMs: 1000, batchSize: 100, gatherMs: 20 },
    });
    sequencer.start();
    outbox.write(1);
    for (let i = 0; i < 50; i++) sequencer.nudge();
    expect(outbox.passes).toHaveLength(1);
    outbox.passes[0]?.release();
    await settle();
    await clock.advance(20);
    expect(outbox.passes).toHaveLength(2);
    outbox.passes[1]?.release();
    await settle();
    expect(outbox.passes).toHaveLength(2);
    await sequencer.stop();
    // Stopped: neither a nudge nor time starts a pass.
    sequencer.nudge();
    await clock.advance(5000);
    expect(outbox.passes).toHaveLength(2);
  });

  it('keeps its schedule after a pass fails', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const sequencer = new EventSequencer({
      events: {
        sequence: async () => {
          calls++;
          if (calls === 1) throw new Error('database down');
          return { count: 0, lastSeq: '0', deliveries: 0 };
        },
      },
      clock,
      logger: silent,
      options: { intervalMs: 100, batchSize: 10 },
    });
    sequencer.start();
    await settle();
    await clock.advance(100);
    expect(calls).toBe(2);
    await sequencer.stop();
  });
});

describe('EventFeed.wait', () => {
  const owner: UserPrincipal = { kind: 'user', userId: 'u', role: 'company_owner', companyId: 'c1' };
  const event = (seq: number): SequencedEvent => ({
    id: String(seq),
    seq: String(seq),
    companyId: 'c1',
    branchId: 'b1',
    type: 'job.queued',
    subjectId: 'j',
    data: {},
    createdAt: new Date(0),
  });

  it('answers when events are sequenced here, polls for other processes’, and gives up at its deadline', async () => {
    const clock = new FakeClock();
    let stored: SequencedEvent[] = [];
    const queries: unknown[] = [];
    const feed = new EventFeed({
      events: {
        list: async (q) => {
          queries.push(q);
          return stored.filter((e) => BigInt(e.seq) > BigInt(q.afterSeq)).slice(0, q.limit);
        },
      },
      clock,
      options: { pollIntervalMs: 1000 },
    });
    const first = feed.wait(owner, { after: '0', limit: 10 }, 30_000);
    await settle();
    stored = [event(1)];
    feed.sequenced();
    expect((await first).events.map((e) => e.id)).toEqual(['evt_1']);
    expect(queries[0]).toMatchObject({ companyId: 'c1', afterSeq: '0', limit: 10 });

    // Another process's event is found by the next poll.
    const second = feed.wait(owner, { after: '1', limit: 10 }, 30_000);
    await settle();
    stored = [event(1), event(2)];
    await clock.advance(1000);
    expect((await second).nextCursor).toBe('2');

    const empty = feed.wait(owner, { after: '2', limit: 10 }, 2_500);
    await clock.advance(2_500);
    expect(await empty).toEqual({ events: [], nextCursor: '2' });

    const closing = feed.wait(owner, { after: '2', limit: 10 }, 30_000);
    await settle();
    feed.close();
    expect((await closing).events).toEqual([]);
  });
});
