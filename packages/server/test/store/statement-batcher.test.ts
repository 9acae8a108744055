import { afterEach, describe, expect, it, vi } from 'vitest';
import { statementBatcher } from '../../src/store/statement-batcher.js';

/** A batch function that records what each batch held and answers keys doubled, after `delayMs`. */
function recorder(delayMs = 0) {
  const batches: number[][] = [];
  const run = async (keys: readonly number[]) => {
    batches.push([...keys]);
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    return keys.map((k) => (k < 0 ? new Error(`bad key ${k}`) : k * 2));
  };
  return { batches, run };
}

describe('statementBatcher', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('without a window, calls of one loop turn share a batch and the next turn starts another', async () => {
    const { batches, run } = recorder();
    const b = statementBatcher(run);
    const first = await Promise.all([b.load(1), b.load(2), b.load(3)]);
    const second = await b.load(4);
    expect(first).toEqual([2, 4, 6]);
    expect(second).toBe(8);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('with a window, calls spread over it share one batch', async () => {
    vi.useFakeTimers();
    const { batches, run } = recorder();
    const b = statementBatcher(run, { gatherMs: 50 });
    const results = [b.load(1)];
    await vi.advanceTimersByTimeAsync(20);
    results.push(b.load(2));
    await vi.advanceTimersByTimeAsync(20);
    results.push(b.load(3));
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(10);
    expect(await Promise.all(results)).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('calls made while a batch runs gather into the next one, which starts when it ends', async () => {
    vi.useFakeTimers();
    const { batches, run } = recorder(100);
    const b = statementBatcher(run, { gatherMs: 10 });
    const first = b.load(1);
    await vi.advanceTimersByTimeAsync(10);
    const behind = [b.load(2), b.load(3)];
    await vi.advanceTimersByTimeAsync(50);
    behind.push(b.load(4));
    expect(batches).toEqual([[1]]);
    await vi.advanceTimersByTimeAsync(50);
    expect(await first).toBe(2);
    expect(batches).toEqual([[1], [2, 3, 4]]);
    await vi.advanceTimersByTimeAsync(100);
    expect(await Promise.all(behind)).toEqual([4, 6, 8]);
  });

  it('flush starts a gathering batch at once and waits for it and for calls queued behind a running one', async () => {
    vi.useFakeTimers();
    const { batches, run } = recorder(30);
    const b = statementBatcher(run, { gatherMs: 10_000 });
    const settled: number[] = [];
    const one = b.load(1).then((v) => settled.push(v));
    let flushed = false;
    const flush = b.flush().then(() => {
      flushed = true;
    });
    // The first batch started without waiting for its window; a call made now waits behind it.
    const two = b.load(2).then((v) => settled.push(v));
    await vi.advanceTimersByTimeAsync(30);
    expect(batches).toEqual([[1], [2]]);
    expect(flushed).toBe(false);
    await vi.advanceTimersByTimeAsync(30);
    await Promise.all([one, two, flush]);
    expect(flushed).toBe(true);
    expect(settled).toEqual([2, 4]);
  });

  it('flush with nothing gathered resolves at once', async () => {
    const b = statementBatcher(recorder().run, { gatherMs: 10_000 });
    await expect(b.flush()).resolves.toBeUndefined();
  });

  it('a failing batch is retried key by key, and only the failing caller gets the error', async () => {
    const batches: number[][] = [];
    const b = statementBatcher<number, number>(async (keys) => {
      batches.push([...keys]);
      if (keys.includes(-1)) throw new Error('constraint violated');
      return keys.map((k) => k * 2);
    });
    const results = await Promise.allSettled([b.load(1), b.load(-1), b.load(3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'constraint violated' });
    expect(batches).toEqual([[1, -1, 3], [1], [-1], [3]]);
  });
});
