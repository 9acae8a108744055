import DataLoader from 'dataloader';
import { currentTenantScope, runInTenantScope, type TenantScope, tenantScopeKey } from '../core/tenant-scope.js';

export interface StatementBatcherOptions {
  /** Most calls one statement serves. Default 500. */
  maxBatchSize?: number;
  /**
   * How long an idle batcher gathers calls before it starts a batch, ms. 0 (the default)
   * starts at the end of the current loop turn. Only for calls nobody waits on in a hurry
   * (bookkeeping a handshake does not wait for): the embedded database runs on the event
   * loop, so without a window such calls rarely find company and cost a statement each.
   */
  gatherMs?: number;
}

/** Calls gathered into group statements; `flush` sends what is gathered now and waits for it. */
export interface StatementBatcher<K, V> {
  load(key: K): Promise<V>;
  /** Starts every batch still gathering and resolves once every batch started so far has settled. */
  flush(): Promise<void>;
}

/** One caller's key, with the tenant scope it was asked in. */
interface Call<K> {
  key: K;
  scope: TenantScope;
}

/**
 * Group commit for many small, independent statements issued at about the same time
 * (a reconnect storm is thousands of handshakes within seconds). While a batch runs,
 * new calls gather into the next one, which starts when it ends; an idle batcher
 * starts a batch at the end of the current loop turn (or after `gatherMs`). Batches
 * so grow with the load. Each caller's promise settles when its statement has:
 * awaited still means written (or read).
 */
export function statementBatcher<K, V>(
  run: (keys: readonly K[]) => Promise<readonly (V | Error)[]>,
  options: StatementBatcherOptions = {},
): StatementBatcher<K, V> {
  const { maxBatchSize = 500, gatherMs = 0 } = options;
  let running = 0;
  let waiting: (() => void)[] = [];
  const gathering = new Map<() => void, NodeJS.Timeout>();
  const inFlight = new Set<Promise<unknown>>();
  const release = () => {
    const ready = waiting;
    waiting = [];
    for (const start of ready) start();
  };
  const runGroup = async (keys: readonly K[]): Promise<readonly (V | Error)[]> => {
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
  };
  const runBatch = async (calls: readonly Call<K>[]): Promise<readonly (V | Error)[]> => {
    running += 1;
    try {
      // Each caller's statement runs in the caller's tenant scope (decision 0007): calls of
      // different scopes share no statement, and the groups run one after another.
      const first = calls[0] as Call<K>;
      if (calls.every((c) => c.scope === first.scope)) {
        return await runInTenantScope(first.scope, () => runGroup(calls.map((c) => c.key)));
      }
      const groups = new Map<string, number[]>();
      for (const [i, c] of calls.entries()) {
        const key = tenantScopeKey(c.scope);
        const group = groups.get(key);
        if (group) group.push(i);
        else groups.set(key, [i]);
      }
      const results: (V | Error)[] = new Array(calls.length);
      for (const indexes of groups.values()) {
        const scope = (calls[indexes[0] as number] as Call<K>).scope;
        const groupResults = await runInTenantScope(scope, () =>
          runGroup(indexes.map((i) => (calls[i] as Call<K>).key)),
        );
        for (const [k, i] of indexes.entries()) results[i] = groupResults[k] as V | Error;
      }
      return results;
    } finally {
      running -= 1;
      if (running === 0) release();
    }
  };
  const loader = new DataLoader<Call<K>, V>(
    (keys) => {
      const batch = runBatch(keys);
      inFlight.add(batch);
      void batch.then(
        () => inFlight.delete(batch),
        () => inFlight.delete(batch),
      );
      return batch;
    },
    {
      cache: false,
      maxBatchSize,
      batchScheduleFn: (start) => {
        if (running > 0) waiting.push(start);
        else if (gatherMs > 0) {
          const timer = setTimeout(() => {
            gathering.delete(start);
            start();
          }, gatherMs);
          gathering.set(start, timer);
        } else setImmediate(start);
      },
    },
  );
  return {
    load: (key) => loader.load({ key, scope: currentTenantScope() }),
    async flush() {
      for (;;) {
        for (const [start, timer] of gathering) {
          clearTimeout(timer);
          gathering.delete(start);
          start();
        }
        if (inFlight.size === 0 && waiting.length === 0) return;
        await Promise.allSettled([...inFlight]);
        // Calls that gathered behind a running batch start when it ends: wait for those too.
        if (inFlight.size === 0 && waiting.length > 0) release();
      }
    },
  };
}
