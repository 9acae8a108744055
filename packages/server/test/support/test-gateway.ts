import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { type RunningGateway, startGateway } from '../../src/start-gateway.js';
import { createRuntimeRole, createTestSchema, TEST_DATABASE_URL } from './test-database.js';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface TestGateway extends RunningGateway {
  logs: LogLine[];
  /** A JWT for `role` in the given scope. */
  token(
    role: 'super_admin' | 'company_owner' | 'branch_manager' | 'cashier',
    scope?: { companyId?: string; branchId?: string },
  ): Promise<string>;
  /** Creates a company with one branch and an active licence; returns their ids and the key. */
  seedTenant(name?: string): Promise<{ companyId: string; branchId: string; licenseKey: string; licenseId: string }>;
  /** Waits until a log line matches. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  store?: 'pglite' | 'postgres';
  env?: Record<string, string>;
  /** Reuse a data directory (restarts). */
  dataDir?: string;
  /** Reuse a PostgreSQL schema (restarts, several processes). */
  schema?: string;
  /**
   * PostgreSQL: connect as a role of its own without SUPERUSER or BYPASSRLS, granted what
   * `printermaster migrate --grant` grants, as production does: row-level security applies.
   */
  rowLevelSecurity?: boolean;
}

/** A gateway on 127.0.0.1 and a free port, with logs captured, for tests. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const logs: LogLine[] = [];
  const waiters: { predicate: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const text of chunk.toString('utf8').split('\n')) {
        if (!text) continue;
        const line = JSON.parse(text) as LogLine;
        logs.push(line);
        for (const w of [...waiters]) {
          if (w.predicate(line)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      }
      cb();
    },
  });
  let dropSchema: (() => Promise<void>) | undefined;
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
    PRINTERMASTER_BOOTSTRAP: 'false',
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123456789',
    ...options.env,
  };
  if (options.store === 'postgres') {
    let schema = options.schema;
    if (!schema) {
      const created = await createTestSchema();
      schema = created.schema;
      dropSchema = created.drop;
    }
    env.DATABASE_URL = TEST_DATABASE_URL;
    env.PRINTERMASTER_DATABASE_SCHEMA = schema;
    // A fresh schema needs its migrations; the CLI does this with `printermaster migrate`.
    const { openDatabase } = await import('../../src/store/database.js');
    const { migrate } = await import('../../src/store/migrator.js');
    const db = await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, schema });
    await migrate(db);
    await db.close();
    if (options.rowLevelSecurity) {
      const role = await createRuntimeRole(schema);
      env.DATABASE_URL = role.url;
      const dropSchemaFirst = dropSchema;
      dropSchema = async () => {
        await dropSchemaFirst?.();
        await role.drop();
      };
    }
  } else {
    env.PRINTERMASTER_DATA_DIR = options.dataDir ?? 'memory';
    // An in-memory store starts from the suite's migrated backup (test/support/store-seed-setup.ts).
    const seed = process.env.PRINTERMASTER_TEST_STORE_SEED;
    if (seed && !options.dataDir && env.PRINTERMASTER_STORE_SEED === undefined) env.PRINTERMASTER_STORE_SEED = seed;
  }
  const config = loadConfig(env);
  const gateway = await startGateway(config, { logDestination: destination, announce: () => {} });
  return {
    ...gateway,
    logs,
    async token(role, scope = {}) {
      return gateway.jwt.sign({ sub: `${role}-user`, role, ...scope }, '1h');
    },
    async seedTenant(name = 'Test company') {
      const company = await gateway.tenants.createCompany(name, 'test');
      const branch = await gateway.tenants.createBranch(company.id, 'Branch 1', 'test');
      const { license, key } = await gateway.licenses.issue({
        companyId: company.id,
        branchId: branch.id,
        actor: 'test',
      });
      return { companyId: company.id, branchId: branch.id, licenseKey: key, licenseId: license.id };
    },
    waitForLog(predicate, timeoutMs = 10_000) {
      const found = logs.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('log line did not appear in time')), timeoutMs);
        waiters.push({
          predicate,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
    async close() {
      await gateway.stop('test');
      await dropSchema?.();
    },
  };
}

/**
 * Two gateway processes on one PostgreSQL schema (instance ids `gw-a` and `gw-b`), with the
 * same `env` (a shared Redis, usually): a cluster for tests.
 */
export async function startGatewayPair(
  schema: string,
  env: Record<string, string>,
): Promise<[TestGateway, TestGateway]> {
  const a = await startTestGateway({ store: 'postgres', schema, env: { ...env, PRINTERMASTER_INSTANCE_ID: 'gw-a' } });
  const b = await startTestGateway({ store: 'postgres', schema, env: { ...env, PRINTERMASTER_INSTANCE_ID: 'gw-b' } });
  return [a, b];
}
