import DataLoader from 'dataloader';

/**
 * Group commit for many small, independent statements issued at about the same time
 * (a reconnect storm is thousands of handshakes within seconds). While a batch runs,
 * new calls gather into the next one, which starts when it ends; an idle batcher
 * starts a batch at the end of the current loop turn. Batches so grow with the load
 * and add no wait when there is none. Each caller's promise settles when its
 * statement has: awaited still means written (or read).
 */
export function statementBatcher<K, V>(
  run: (keys: readonly K[]) => Promise<readonly (V | Error)[]>,
  maxBatchSize = 500,
): DataLoader<K, V> {
  let running = 0;
  let waiting: (() => void)[] = [];
  const release = () => {
    const ready = waiting;
    waiting = [];
    for (const start of ready) start();
  };
  return new DataLoader<K, V>(
    async (keys) => {
      running += 1;
      try {
        try {
          return await run(keys);
        } catch (err) {
          // One bad row (a device of a branch deleted meanwhile, …) must not fail every caller
          // of the batch: each is tried alone, and only the ones that fail get the error.
          if (keys.length === 1) throw err;
          return await Promise.all(
            keys.map((key) =>
              run([key]).then(
                (results) => results[0] as V | Error,
                (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
              ),
            ),
          );
        }
      } finally {
        running -= 1;
        if (running === 0) release();
      }
    },
    {
      cache: false,
      maxBatchSize,
      batchScheduleFn: (start) => {
        if (running > 0) waiting.push(start);
        else setImmediate(start);
      },
    },
  );
}
