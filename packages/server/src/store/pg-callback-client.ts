import type pg from 'pg';

type QueryCallback = (err: Error | null, result: pg.QueryResult) => void;

/**
 * `Client` with `query(text, values)` (Kysely's only call) carried out through pg's callback
 * form, the promise made here. pg's promise form creates its query first and gives it the
 * callback that resolves the promise afterwards, and on Node 20 that shape (a closure over a
 * promise's resolve function stored into an object made before it) has V8 promote every result
 * the promise is resolved with into the old generation, where it waits for a full collection.
 * A million-job CSV export on PostgreSQL promoted each page's 60 KB string that way, 4–7 MB per
 * scavenge, and the old generation grew by 60–70 MB between full collections (RSS +98 MB).
 * With the callback handed to pg when the query is made, each page dies young. Calls of any
 * other form (a cursor, a config object, a callback of the caller's) go to pg unchanged.
 */
export function callbackQueryClient(Client: typeof pg.Client): typeof pg.Client {
  const base = Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;
  class CallbackQueryClient extends Client {}
  function query(this: pg.Client, config: unknown, values?: unknown, callback?: unknown): unknown {
    if (typeof config !== 'string' || callback !== undefined || typeof values === 'function')
      return base.call(this, config, values, callback);
    return new Promise<pg.QueryResult>((resolve, reject) => {
      const done: QueryCallback = (err, result) => (err ? reject(err) : resolve(result));
      base.call(this, config, values, done);
    });
  }
  CallbackQueryClient.prototype.query = query as pg.Client['query'];
  return CallbackQueryClient;
}
