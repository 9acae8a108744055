import type { LogEvent } from 'kysely';
import type { QueryListener } from './database.js';

/** Kysely's log hook, passing each statement to the listener of the moment. */
export function queryWatch() {
  let listener: QueryListener | undefined;
  return {
    log: (event: LogEvent) => {
      if (listener && event.level === 'query')
        listener({ sql: event.query.sql, durationMs: event.queryDurationMillis });
    },
    watch: (next: QueryListener | undefined) => {
      listener = next;
    },
  };
}

/** How long `fn` took, ms. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}
