import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { GatewayError } from '../core/gateway-error.js';
import type { Database } from './database.js';
import { hasMigrationsTable, MIGRATION_LOCK_ID, MIGRATIONS_DIR } from './migrator.js';
import { TENANT_SETTING } from './tenant-scoped-dialect.js';

/**
 * The SQL that undoes one migration: `packages/server/migrations/down/NNN_name.sql` undoes
 * `packages/server/migrations/NNN_name.sql` (same file name). What it drops is gone with its rows.
 */
export interface DownMigration {
  version: number;
  name: string;
  sql: string;
}

/** An applied migration as `schema_migrations` records it. */
interface AppliedMigration {
  version: number;
  name: string;
}

export function loadDownMigrations(dir: string = join(MIGRATIONS_DIR, 'down')): DownMigration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^\d{3,}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const match = /^(\d+)_(.+)\.sql$/.exec(file) as RegExpExecArray;
      return { version: Number(match[1]), name: match[2] as string, sql: readFileSync(join(dir, file), 'utf8') };
    });
}

async function appliedMigrations(database: Database): Promise<AppliedMigration[]> {
  if (!(await hasMigrationsTable(database))) return [];
  return database.db.selectFrom('schemaMigrations').select(['version', 'name']).orderBy('version').execute();
}

/**
 * The versions `rollback` can take the schema to, newest first: every applied version below the
 * newest, and 0 (no migration), as far down as each migration to undo on the way has a down file.
 */
export async function rollbackTargets(database: Database, downMigrations = loadDownMigrations()): Promise<number[]> {
  const applied = (await appliedMigrations(database)).reverse();
  const downs = new Map(downMigrations.map((d) => [d.version, d]));
  const targets: number[] = [];
  for (const [i, migration] of applied.entries()) {
    if (downs.get(migration.version)?.name !== migration.name) break;
    targets.push(applied[i + 1]?.version ?? 0);
  }
  return targets;
}

/**
 * Undoes the applied migrations newer than `toVersion` (0: every one), newest first, each with
 * its down file in a transaction of its own that also deletes its `schema_migrations` row, under
 * the lock `migrate` takes. Returns what it undid. Refuses, changing nothing, when `toVersion` is
 * neither 0 nor applied (`BAD_REQUEST`), or when a migration to undo has no down file (`CONFLICT`:
 * a newer release applied it, and that release's `migrate --down-to` can undo it).
 */
export async function rollback(
  database: Database,
  toVersion: number,
  downMigrations = loadDownMigrations(),
): Promise<DownMigration[]> {
  const applied = await appliedMigrations(database);
  if (
    !Number.isInteger(toVersion) ||
    toVersion < 0 ||
    (toVersion !== 0 && !applied.some((m) => m.version === toVersion))
  ) {
    throw new GatewayError('BAD_REQUEST', {
      message: `version ${toVersion} is not an applied migration; roll back to one of ${[
        0,
        ...applied.map((m) => m.version),
      ].join(', ')} (0 undoes every migration)`,
      details: { toVersion },
    });
  }
  const downs = new Map(downMigrations.map((d) => [d.version, d]));
  const toUndo = applied.filter((m) => m.version > toVersion).reverse();
  const missing = toUndo.filter((m) => downs.get(m.version)?.name !== m.name);
  if (missing.length > 0) {
    throw new GatewayError('CONFLICT', {
      message: `no down migration for ${missing.map(label).join(', ')} (looked for ${missing
        .map((m) => `migrations/down/${fileName(m)}`)
        .join(
          ', ',
        )}); nothing was rolled back. A migration this release does not know was applied by a newer one: roll back with that release's \`printermaster migrate --down-to\`, or restore a backup`,
      details: { missing: missing.map(label) },
    });
  }
  const done: DownMigration[] = [];
  for (const migration of toUndo) {
    const down = downs.get(migration.version) as DownMigration;
    const undone = await database.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`.execute(trx);
      // Another process may have rolled it back while this one waited for the lock.
      const row = await trx
        .deleteFrom('schemaMigrations')
        .where('version', '=', migration.version)
        .returning('version')
        .executeTakeFirst();
      if (!row) return false;
      // As in `migrate`: a down migration that moves rows must see every company's (decision 0007).
      await sql`select set_config(${TENANT_SETTING}, '*', true)`.execute(trx);
      await sql.raw(down.sql).execute(trx);
      return true;
    });
    if (undone) done.push(down);
  }
  return done;
}

function label(m: AppliedMigration): string {
  return `${m.version}_${m.name}`;
}

function fileName(m: AppliedMigration): string {
  return `${String(m.version).padStart(3, '0')}_${m.name}.sql`;
}
