import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** PostgreSQL for tests: PRINTERMASTER_TEST_DATABASE_URL, default the local server's `test` database. */
export const TEST_DATABASE_URL =
  process.env.PRINTERMASTER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let reachable: Promise<boolean> | undefined;

/**
 * Whether PostgreSQL answers. In CI (CI=true) an unreachable server is a failure,
 * not a skip: `.ci/run` starts it first.
 */
export function postgresAvailable(): Promise<boolean> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3_000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch (err) {
      if (process.env.CI === 'true') {
        throw new Error(
          `PostgreSQL is not reachable at ${TEST_DATABASE_URL} (CI requires it): ${(err as Error).message}`,
        );
      }
      process.stderr.write(
        `\n[tests] PostgreSQL not reachable at ${TEST_DATABASE_URL}; PostgreSQL-backed tests are skipped\n`,
      );
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return reachable;
}

/** A fresh schema for one test file; `drop` removes it with everything in it. */
export async function createTestSchema(): Promise<{ schema: string; drop: () => Promise<void> }> {
  const schema = `pm_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  return {
    schema,
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}
