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

/**
 * A login role for one test, as production's gateway role is (docs/operations.md): no SUPERUSER,
 * no BYPASSRLS, granted what `printermaster migrate --grant` grants on `schema`. `url` connects
 * as it; `drop` revokes its grants and removes it (roles belong to the whole server).
 */
export async function createRuntimeRole(
  schema: string,
): Promise<{ role: string; url: string; drop: () => Promise<void> }> {
  const { runtimeRoleGrants } = await import('../../src/store/runtime-role.js');
  const role = `pm_app_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  // A password, for servers that ask one of every role but the test superuser.
  const password = randomUUID().replaceAll('-', '');
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(
      `CREATE ROLE ${role} LOGIN PASSWORD '${password}' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`,
    );
    for (const statement of runtimeRoleGrants(role, schema)) await client.query(statement);
  } finally {
    await client.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.username = role;
  url.password = password;
  return {
    role,
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      try {
        await c.query(`DROP OWNED BY ${role}`);
        await c.query(`DROP ROLE IF EXISTS ${role}`);
      } finally {
        await c.end();
      }
    },
  };
}
