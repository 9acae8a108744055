import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/ports/logger.js';
import { openDatabase } from '../../src/store/database.js';
import { watchedPool } from '../../src/store/pg-pool-watch.js';
import { eventually } from '../support/socket-clients.js';
import { postgresAvailable, TEST_DATABASE_URL } from '../support/test-database.js';

interface Line {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  msg: string;
}

/** A logger that keeps its lines. */
function collectingLogger(lines: Line[]): Logger {
  const at =
    (level: Line['level']) =>
    (fields: Record<string, unknown>, msg: string): void => {
      lines.push({ level, fields, msg });
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

describe.runIf(await postgresAvailable())('the PostgreSQL connection pool in the log', () => {
  const pools: pg.Pool[] = [];
  afterEach(async () => {
    for (const pool of pools.splice(0)) await pool.end();
  });

  it('says once that the pool is ready, with its totals and size, when the first connection opens', async () => {
    const lines: Line[] = [];
    const database = await openDatabase({
      kind: 'postgres',
      url: TEST_DATABASE_URL,
      poolSize: 3,
      logger: collectingLogger(lines),
    });
    try {
      await database.ping();
      await database.ping();
      const ready = lines.filter((l) => l.msg === 'PostgreSQL connection pool ready');
      expect(ready).toHaveLength(1);
      expect(ready[0]?.fields).toMatchObject({ total: 1, waiting: 0, max: 3 });
      expect(database.pool?.()).toEqual({ total: 1, idle: 1, waiting: 0, max: 3 });
    } finally {
      await database.close();
    }
  });

  it('warns when a query waited for a connection longer than the threshold, at most once per period', async () => {
    const lines: Line[] = [];
    let nowMs = 0;
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    pools.push(pool);
    const watched = watchedPool(pool, 1, {
      logger: collectingLogger(lines),
      slowAcquireMs: 1_000,
      warnEveryMs: 30_000,
      now: () => nowMs,
    });
    const warnings = () => lines.filter((l) => l.level === 'warn');

    /** Holds the only connection, lets another caller queue for it, moves the clock by `waitMs`, then lets go. */
    const contend = async (waitMs: number): Promise<void> => {
      const holder = await watched.connect();
      const waiter = watched.connect();
      await eventually(() => pool.waitingCount === 1, 10_000, 'a caller waiting for the connection');
      nowMs += waitMs;
      holder.release();
      (await waiter).release();
    };

    await contend(200);
    expect(warnings()).toEqual([]);

    await contend(1_500);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]?.msg).toBe('PostgreSQL connection pool: queries waited for a connection');
    expect(warnings()[0]?.fields).toMatchObject({ max: 1, slowAcquires: 1, longestWaitMs: 1_500 });

    // Within the period: counted, not logged.
    await contend(2_000);
    expect(warnings()).toHaveLength(1);

    nowMs += 30_000;
    await contend(1_200);
    expect(warnings()).toHaveLength(2);
    expect(warnings()[1]?.fields).toMatchObject({ slowAcquires: 2, longestWaitMs: 2_000 });
  });
});
