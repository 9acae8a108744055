import { sql } from 'kysely';
import type { Database } from './database.js';

/**
 * The tables a running gateway reads and writes: every table of the schema but the migrations'
 * own, which it only reads. Views (the restore check's "Printer") are not granted.
 */
export const RUNTIME_TABLES = [
  'companies',
  'branches',
  'licenses',
  'devices',
  'device_sessions',
  'printers',
  'stations',
  'paper_checks',
  'agent_leases',
  'print_jobs',
  'print_job_events',
  'idempotency_keys',
  'device_health_reports',
  'audit_log',
  'gateway_meta',
  'api_keys',
  'refresh_tokens',
  'events',
  'webhook_endpoints',
  'webhook_deliveries',
  'webhook_attempts',
] as const;

/** A role name as PostgreSQL prints it unquoted (the only names `grantRuntimeRole` takes). */
const ROLE_NAME = /^[a-z_][a-z0-9_$]{0,62}$/;

/**
 * The statements that give `role` what a running gateway needs in `schema` and nothing more
 * (decision 0007): no ownership, so it cannot turn row-level security off; no DDL. The role is
 * created beforehand by the operator, without SUPERUSER or BYPASSRLS (docs/operations.md).
 */
export function runtimeRoleGrants(role: string, schema = 'public'): string[] {
  if (!ROLE_NAME.test(role)) throw new Error(`"${role}" is not a plain role name (lower case, digits, _)`);
  if (!ROLE_NAME.test(schema)) throw new Error(`"${schema}" is not a plain schema name (lower case, digits, _)`);
  return [
    `GRANT USAGE ON SCHEMA ${schema} TO ${role};`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ${RUNTIME_TABLES.map((t) => `${schema}.${t}`).join(', ')} TO ${role};`,
    `GRANT SELECT ON ${schema}.schema_migrations TO ${role};`,
  ];
}

/** Grants `role` the run-time privileges on the database's schema; idempotent. PostgreSQL only. */
export async function grantRuntimeRole(database: Database, role: string): Promise<string[]> {
  if (database.kind !== 'postgres') throw new Error('roles are for PostgreSQL; the embedded store has none');
  const statements = runtimeRoleGrants(role, database.schema ?? (await currentSchema(database)));
  await database.db.transaction().execute(async (trx) => {
    for (const statement of statements) await sql.raw(statement).execute(trx);
  });
  return statements;
}

async function currentSchema(database: Database): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('the database has no current schema (search_path names none that exists)');
  return schema;
}
