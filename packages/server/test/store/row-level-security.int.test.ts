import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTenantScope, runUserRequest, type TenantScope } from '../../src/core/tenant-scope.js';
import { type Database, openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrator.js';
import { RUNTIME_TABLES } from '../../src/store/runtime-role.js';
import { createStores, type Stores } from '../../src/store/stores.js';
import { createRuntimeRole, createTestSchema, postgresAvailable, TEST_DATABASE_URL } from '../support/test-database.js';

/** Every tenant-owned table, with a row of company `c` (ids suffixed by `c`) to insert. */
const ROWS: Record<string, (c: string) => string> = {
  companies: (c) => `INSERT INTO companies (id, name) VALUES ('${c}', 'Company ${c}')`,
  branches: (c) => `INSERT INTO branches (id, company_id, name) VALUES ('br-${c}', '${c}', 'Branch')`,
  licenses: (c) =>
    `INSERT INTO licenses (id, company_id, branch_id, key_hash, key_hint) VALUES ('li-${c}', '${c}', 'br-${c}', 'hash-${c}', 'abcd')`,
  devices: (c) => `INSERT INTO devices (company_id, branch_id, device_id) VALUES ('${c}', 'br-${c}', 'dev-${c}')`,
  device_sessions: (c) =>
    `INSERT INTO device_sessions (id, company_id, branch_id, device_id, gateway_instance) VALUES ('se-${c}', '${c}', 'br-${c}', 'dev-${c}', 'gw')`,
  printers: (c) =>
    `INSERT INTO printers (id, company_id, branch_id, name) VALUES ('pr-${c}', '${c}', 'br-${c}', 'Kitchen')`,
  agent_leases: (c) =>
    `INSERT INTO agent_leases (branch_id, group_name, company_id, device_id, instance_id, expires_at) VALUES ('br-${c}', 'pair', '${c}', 'dev-${c}', 'gw', now() + interval '1 hour')`,
  paper_checks: (c) =>
    `INSERT INTO paper_checks (token_hash, company_id, branch_id, printer_id, job_id) VALUES ('pc-${c}', '${c}', 'br-${c}', 'pr-${c}', 'jo-${c}')`,
  stations: (c) =>
    `INSERT INTO stations (id, company_id, branch_id, name, printer_ids) VALUES ('st-${c}', '${c}', 'br-${c}', 'Grill', '["pr-${c}"]')`,
  print_jobs: (c) =>
    `INSERT INTO print_jobs (id, company_id, branch_id, printer_id, state, type, priority, content, byte_length, useful_until)
     VALUES ('jo-${c}', '${c}', 'br-${c}', 'pr-${c}', 'queued', 'receipt', 5, '\\x00', 1, now() + interval '1 hour')`,
  print_job_events: (c) =>
    `INSERT INTO print_job_events (job_id, company_id, to_state, actor) VALUES ('jo-${c}', '${c}', 'queued', 'test')`,
  idempotency_keys: (c) =>
    `INSERT INTO idempotency_keys (company_id, key, request_hash, job_id) VALUES ('${c}', 'key-${c}', 'h', 'jo-${c}')`,
  device_health_reports: (c) =>
    `INSERT INTO device_health_reports (company_id, branch_id, device_id, report) VALUES ('${c}', 'br-${c}', 'dev-${c}', '{}')`,
  audit_log: (c) => `INSERT INTO audit_log (company_id, actor, action) VALUES ('${c}', 'test', 'seeded')`,
  api_keys: (c) =>
    `INSERT INTO api_keys (id, company_id, name, role, prefix, key_hash, created_by) VALUES ('ak-${c}', '${c}', 'POS', 'cashier', 'pm_x', 'khash-${c}', 'test')`,
  refresh_tokens: (c) =>
    `INSERT INTO refresh_tokens (id, family_id, token_hash, user_id, role, company_id, expires_at) VALUES ('rt-${c}', 'fa-${c}', 'thash-${c}', 'u', 'company_owner', '${c}', now() + interval '1 day')`,
  events: (c) =>
    `INSERT INTO events (id, company_id, branch_id, type, subject_id, data) OVERRIDING SYSTEM VALUE
     VALUES (abs(hashtext('ev-${c}')), '${c}', 'br-${c}', 'job.queued', 'jo-${c}', '{}')`,
  webhook_endpoints: (c) =>
    `INSERT INTO webhook_endpoints (id, company_id, url, events, secret) VALUES ('wh-${c}', '${c}', 'http://127.0.0.1/', '{job.*}', 's')`,
  webhook_deliveries: (c) =>
    `INSERT INTO webhook_deliveries (id, endpoint_id, company_id, event_id, seq, ordering_key) OVERRIDING SYSTEM VALUE
     VALUES (abs(hashtext('de-${c}')), 'wh-${c}', '${c}', abs(hashtext('ev-${c}')), 1, 'jo-${c}')`,
  webhook_attempts: (c) =>
    `INSERT INTO webhook_attempts (delivery_id, endpoint_id, company_id, attempt, latency_ms, gateway_instance)
     VALUES (abs(hashtext('de-${c}')), 'wh-${c}', '${c}', 1, 5, 'gw')`,
};
const TENANT_TABLES = Object.keys(ROWS);
const companyColumn = (table: string) => (table === 'companies' ? 'id' : 'company_id');

const ready = await postgresAvailable();

describe.runIf(ready)('row-level security on PostgreSQL (a role without BYPASSRLS)', () => {
  const a = `a${randomUUID().slice(0, 8)}`;
  const b = `b${randomUUID().slice(0, 8)}`;
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let role: Awaited<ReturnType<typeof createRuntimeRole>>;
  let owner: pg.Client;
  let app: pg.Client;

  beforeAll(async () => {
    schema = await createTestSchema();
    const database = await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, schema: schema.schema });
    await migrate(database);
    await database.close();
    role = await createRuntimeRole(schema.schema);
    owner = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema.schema}` });
    await owner.connect();
    for (const c of [a, b])
      for (const table of TENANT_TABLES) await owner.query((ROWS[table] as (c: string) => string)(c));
    app = new pg.Client({ connectionString: role.url, options: `-c search_path=${schema.schema}` });
    await app.connect();
  });
  afterAll(async () => {
    await app?.end();
    await owner?.end();
    await schema?.drop();
    await role?.drop();
  });

  const setTenant = (value: string) => app.query(`select set_config('printermaster.company_id', $1, false)`, [value]);
  const count = async (table: string, company: string) =>
    Number(
      (await app.query(`SELECT count(*) AS n FROM ${table} WHERE ${companyColumn(table)} = $1`, [company])).rows[0].n,
    );
  /** Tries every write on company `c`'s rows as the app role; returns rows changed, or the error code of inserts. */
  const writes = async (c: string) => {
    const out: Record<string, { updated: number; deleted: number; inserted: string }> = {};
    for (const table of TENANT_TABLES) {
      await app.query('BEGIN');
      try {
        const updated =
          (
            await app.query(
              `UPDATE ${table} SET ${companyColumn(table)} = ${companyColumn(table)} WHERE ${companyColumn(table)} = $1`,
              [c],
            )
          ).rowCount ?? 0;
        const deleted = (await app.query(`DELETE FROM ${table} WHERE ${companyColumn(table)} = $1`, [c])).rowCount ?? 0;
        out[table] = { updated, deleted, inserted: '' };
      } finally {
        await app.query('ROLLBACK');
      }
      const other = `${c}x`;
      // A new row of company `c` (under ids of its own), refused by the policy, not by a key.
      const insert = (ROWS[table] as (c: string) => string)(other).replaceAll(`'${other}'`, `'${c}'`);
      await app.query('BEGIN');
      try {
        await app.query(insert);
        (out[table] as { inserted: string }).inserted = 'inserted';
      } catch (err) {
        (out[table] as { inserted: string }).inserted = (err as { code?: string }).code ?? 'error';
      } finally {
        await app.query('ROLLBACK');
      }
    }
    return out;
  };
  const nothing = Object.fromEntries(TENANT_TABLES.map((t) => [t, { updated: 0, deleted: 0, inserted: '42501' }]));

  it('covers every tenant-owned table: policy, enabled and forced, and the gateway role is granted every table', async () => {
    const { rows } = await owner.query<{ table: string; enabled: boolean; forced: boolean; policies: number }>(
      `SELECT c.relname AS table, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
              (SELECT count(*)::int FROM pg_policies p WHERE p.schemaname = n.nspname AND p.tablename = c.relname) AS policies
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind = 'r'
          AND (c.relname = 'companies' OR EXISTS (
            SELECT 1 FROM pg_attribute t WHERE t.attrelid = c.oid AND t.attname = 'company_id' AND NOT t.attisdropped))
        ORDER BY 1`,
      [schema.schema],
    );
    expect(rows.map((r) => r.table)).toEqual([...TENANT_TABLES].sort());
    for (const r of rows) expect(r, r.table).toMatchObject({ enabled: true, forced: true, policies: 1 });
    const tables = await owner.query<{ table: string }>(
      `SELECT tablename AS table FROM pg_tables WHERE schemaname = $1 ORDER BY 1`,
      [schema.schema],
    );
    expect(tables.rows.map((r) => r.table)).toEqual([...RUNTIME_TABLES, 'schema_migrations'].sort());
  });

  it('reads and writes nothing without a tenant setting', async () => {
    await app.query('RESET printermaster.company_id');
    for (const table of TENANT_TABLES) expect(await count(table, a), table).toBe(0);
    expect(await writes(a)).toEqual(nothing);
    await setTenant('');
    for (const table of TENANT_TABLES) expect(await count(table, a), table).toBe(0);
    expect(await writes(a)).toEqual(nothing);
  });

  it('reads and writes nothing of another company with the wrong tenant setting', async () => {
    await setTenant(b);
    for (const table of TENANT_TABLES) {
      expect(await count(table, a), table).toBe(0);
      expect(await count(table, b), table).toBe(1);
    }
    expect(await writes(a)).toEqual(nothing);
    // Nor can a row of its own be handed to the other company.
    await expect(app.query(`UPDATE printers SET company_id = $1 WHERE company_id = $2`, [a, b])).rejects.toMatchObject({
      code: '42501',
    });
  });

  it('reads and writes its own company’s rows with the right setting, and every company’s with *', async () => {
    await setTenant(a);
    for (const table of TENANT_TABLES) {
      expect(await count(table, a), table).toBe(1);
      expect(await count(table, b), table).toBe(0);
    }
    const own = await writes(a);
    for (const table of TENANT_TABLES) {
      expect(own[table], table).toMatchObject({ updated: 1, deleted: 1 });
      expect(own[table]?.inserted, table).not.toBe('42501');
    }
    await setTenant('*');
    for (const table of TENANT_TABLES) {
      expect(await count(table, a), table).toBe(1);
      expect(await count(table, b), table).toBe(1);
    }
  });

  it('lets no company be named * or nothing, which name every company and none', async () => {
    await setTenant('*');
    for (const id of ['*', '']) {
      await expect(app.query(`INSERT INTO companies (id, name) VALUES ($1, 'x')`, [id])).rejects.toMatchObject({
        code: '23514',
      });
    }
  });

  describe('through the store', () => {
    let database: Database;
    let stores: Stores;
    const asCompany = (companyId: string): TenantScope => ({ kind: 'company', companyId });

    beforeAll(async () => {
      // One connection: every scope change below happens on the same connection.
      database = await openDatabase({ kind: 'postgres', url: role.url, schema: schema.schema, poolSize: 1 });
      stores = createStores(database, (err) => {
        throw err;
      });
    });
    afterAll(async () => {
      await stores?.flush();
      await database?.close();
    });

    it('gives each piece of work its scope’s rows, on one pooled connection, with nothing carried over', async () => {
      const job = `jo-${a}`;
      // Outside any scope: the gateway's own work, every company.
      expect((await stores.jobs.find(job))?.companyId).toBe(a);
      expect(await runInTenantScope(asCompany(b), () => stores.jobs.find(job))).toBeUndefined();
      expect((await runInTenantScope(asCompany(a), () => stores.jobs.find(job)))?.id).toBe(job);
      expect(await runUserRequest(() => stores.jobs.find(job))).toBeUndefined();
      expect((await stores.jobs.find(job))?.id).toBe(job);
      const listed = await runInTenantScope(asCompany(b), () => stores.jobs.list({ limit: 100 }));
      expect(listed.map((j) => j.companyId)).toEqual([b]);
      expect(
        await runInTenantScope(asCompany(b), () => stores.jobs.transition(job, ['queued'], 'cancelled', 'test')),
      ).toBeUndefined();
      expect((await stores.jobs.find(job))?.state).toBe('queued');
    });

    it('stores jobs of two companies asked for together, each in its own company’s scope', async () => {
      const newJob = (companyId: string) => ({
        id: randomUUID(),
        companyId,
        branchId: `br-${companyId}`,
        printerId: `pr-${companyId}`,
        type: 'receipt' as const,
        priority: 5,
        copies: 1,
        content: new Uint8Array([0x1b, 0x40]),
        orderData: null,
        reprintOf: null,
        usefulUntil: new Date(Date.now() + 60_000),
        createdAt: new Date(),
        actor: 'test',
      });
      // Asked in one loop turn: the group commit gathers them, and must not run one company's
      // row in the other's scope (the policy would refuse it).
      const [ja, jb] = await Promise.all([
        runInTenantScope(asCompany(a), () => stores.jobs.insert(newJob(a))),
        runInTenantScope(asCompany(b), () => stores.jobs.insert(newJob(b))),
      ]);
      expect([ja?.created && ja.job.companyId, jb?.created && jb.job.companyId]).toEqual([a, b]);
      // And a job of company b asked for in company a's scope is refused, not stored.
      await expect(runInTenantScope(asCompany(a), () => stores.jobs.insert(newJob(b)))).rejects.toThrow(
        /row-level security/,
      );
    });
  });
});
