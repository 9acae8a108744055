import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Database } from './database.js';
import { TENANT_SETTING } from './tenant-scoped-dialect.js';

/** A versioned SQL migration from `packages/server/migrations/NNN_name.sql`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  applied: { version: number; name: string; appliedAt: Date }[];
  pending: Migration[];
  /** Applied migrations whose file changed since (a sign of an edited migration). */
  modified: { version: number; name: string }[];
}

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));
// Taken inside each migration's (and rollback's) transaction, so that two processes changing the
// schema at once run one after the other.
export const MIGRATION_LOCK_ID = 726_175_301;

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3,}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const text = readFileSync(`${dir}/${file}`, 'utf8');
      const match = /^(\d+)_(.+)\.sql$/.exec(file) as RegExpExecArray;
      return {
        version: Number(match[1]),
        name: match[2] as string,
        sql: text,
        checksum: createHash('sha256').update(text).digest('hex'),
      };
    });
}

async function ensureTable(database: Database): Promise<void> {
  // A schema named in the configuration is created by the first migration, as the tables are.
  if (database.schema) await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(database.schema)}`.execute(database.db);
  await sql`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`.execute(database.db);
}

export async function hasMigrationsTable(database: Database): Promise<boolean> {
  const { rows } = await sql<{
    exists: boolean;
  }>`select to_regclass('schema_migrations') is not null as exists`.execute(database.db);
  return rows[0]?.exists === true;
}

export async function migrationStatus(database: Database, migrations = loadMigrations()): Promise<MigrationStatus> {
  const applied = (await hasMigrationsTable(database))
    ? await database.db.selectFrom('schemaMigrations').selectAll().orderBy('version').execute()
    : [];
  const byVersion = new Map(applied.map((m) => [m.version, m]));
  return {
    applied: applied.map((m) => ({ version: m.version, name: m.name, appliedAt: m.appliedAt })),
    pending: migrations.filter((m) => !byVersion.has(m.version)),
    modified: migrations
      .filter((m) => byVersion.has(m.version) && byVersion.get(m.version)?.checksum !== m.checksum)
      .map((m) => ({ version: m.version, name: m.name })),
  };
}

/**
 * Applies pending migrations in order, each in its own transaction together with
 * its bookkeeping row. Idempotent: running it again applies nothing.
 * Returns the migrations it applied.
 */
export async function migrate(database: Database, migrations = loadMigrations()): Promise<Migration[]> {
  // Up to date is the usual answer, and the embedded store asks at every start: one read, no
  // transactions (a migration another process applies meanwhile is seen under the lock below).
  if ((await hasMigrationsTable(database)) && (await migrationStatus(database, migrations)).pending.length === 0)
    return [];
  await ensureTable(database);
  const done: Migration[] = [];
  for (const migration of migrations) {
    const applied = await database.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`.execute(trx);
      const existing = await trx
        .selectFrom('schemaMigrations')
        .select('version')
        .where('version', '=', migration.version)
        .executeTakeFirst();
      if (existing) return false;
      // Migrations are the gateway's own cross-tenant work: a data migration run by a table owner
      // subject to row-level security sees every company's rows (decision 0007).
      await sql`select set_config(${TENANT_SETTING}, '*', true)`.execute(trx);
      await sql.raw(migration.sql).execute(trx);
      await trx
        .insertInto('schemaMigrations')
        .values({ version: migration.version, name: migration.name, checksum: migration.checksum })
        .execute();
      return true;
    });
    if (applied) done.push(migration);
  }
  return done;
}
