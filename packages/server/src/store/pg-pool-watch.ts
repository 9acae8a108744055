import type { PostgresPool } from 'kysely';
import type pg from 'pg';
import type { Logger } from '../core/ports/logger.js';

/** The PostgreSQL connection pool of this process, as `pg` counts it. */
export interface PoolState {
  /** Connections open, idle or lent to a query. */
  total: number;
  /** Open connections no query holds. */
  idle: number;
  /** Queries waiting for a connection (every one is lent and `max` are open). */
  waiting: number;
  /** Most connections the pool opens (`DATABASE_POOL_SIZE`). */
  max: number;
}

export interface PoolWatchOptions {
  logger: Logger;
  /** A wait for a connection at least this long is logged, ms. */
  slowAcquireMs?: number;
  /** At most one warning per this many ms; the slow waits between are counted in the next one. */
  warnEveryMs?: number;
  /** Milliseconds on a monotonic clock (tests move it by hand). */
  now?: () => number;
}

export function poolState(pool: pg.Pool, max: number): PoolState {
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max };
}

/**
 * `pool` as Kysely takes it, logging its state once the first connection is open ("PostgreSQL
 * connection pool ready") and a warning when a query waited for a connection longer than
 * `slowAcquireMs` (the pool is too small for the load, or the server is slow to accept
 * connections): at most one line per `warnEveryMs`, with the count and longest wait since the
 * last one. Runbooks look for both with `grep "connection pool"`.
 */
export function watchedPool(pool: pg.Pool, max: number, options: PoolWatchOptions): PostgresPool {
  const { logger, slowAcquireMs = 1_000, warnEveryMs = 30_000, now = () => performance.now() } = options;
  let announced = false;
  let lastWarnedAt = Number.NEGATIVE_INFINITY;
  let slowSinceWarned = 0;
  let longestWaitMs = 0;
  const slow = (waitedMs: number, failed: boolean): void => {
    slowSinceWarned++;
    longestWaitMs = Math.max(longestWaitMs, waitedMs);
    const at = now();
    if (at - lastWarnedAt < warnEveryMs) return;
    logger.warn(
      {
        ...poolState(pool, max),
        slowAcquires: slowSinceWarned,
        longestWaitMs: Math.round(longestWaitMs),
        ...(failed ? { failed: true } : {}),
      },
      'PostgreSQL connection pool: queries waited for a connection',
    );
    lastWarnedAt = at;
    slowSinceWarned = 0;
    longestWaitMs = 0;
  };
  return {
    connect: async () => {
      const startedAt = now();
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        const waitedMs = now() - startedAt;
        if (waitedMs >= slowAcquireMs) slow(waitedMs, true);
        throw err;
      }
      const waitedMs = now() - startedAt;
      if (waitedMs >= slowAcquireMs) slow(waitedMs, false);
      if (!announced) {
        announced = true;
        logger.info({ ...poolState(pool, max) }, 'PostgreSQL connection pool ready');
      }
      return client;
    },
    end: () => pool.end(),
  };
}
