import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Logger } from '../core/ports/logger.js';
import { DataDirLock } from './data-dir-lock.js';
import type { Database } from './database.js';

/** Writes `bytes` to `file` atomically (a reader never sees half a backup). */
export function writeBackupFile(file: string, bytes: Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
}

/** The admin command's backup: a copy of the running embedded store, written to `file`; returns its size. */
export function backupTo(database: Database, logger: Logger): (file: string) => Promise<number> {
  return async (file) => {
    if (!database.backup) throw new Error('only the embedded store is backed up by the gateway; use pg_dump');
    const bytes = await database.backup();
    writeBackupFile(file, bytes);
    logger.info({ file, byteLength: bytes.byteLength }, 'backup written');
    return bytes.byteLength;
  };
}

/**
 * Replaces the embedded store in `dataDir` with a backup. Refuses while a
 * gateway holds the directory. The store it replaces is kept beside it as
 * `pgdata.before-restore-<time>`, and put back if the backup does not open.
 * Returns that directory's path and the number of applied migrations found.
 */
export async function restoreEmbeddedBackup(
  dataDir: string,
  file: string,
): Promise<{ previous: string | undefined; migrations: number }> {
  if (!existsSync(file)) throw new Error(`backup file ${file} does not exist`);
  const lock = DataDirLock.acquire(dataDir);
  const pgdata = join(dataDir, 'pgdata');
  const previous = existsSync(pgdata)
    ? `${pgdata}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`
    : undefined;
  try {
    if (previous) renameSync(pgdata, previous);
    try {
      const pglite = await PGlite.create(pgdata, { loadDataDir: new Blob([readFileSync(file)]) });
      const res = await pglite.query<{ n: number }>('select count(*)::int as n from schema_migrations');
      await pglite.close();
      return { previous, migrations: res.rows[0]?.n ?? 0 };
    } catch (err) {
      rmSync(pgdata, { recursive: true, force: true });
      if (previous) renameSync(previous, pgdata);
      throw new Error(`the backup could not be restored (the store was left as it was): ${(err as Error).message}`);
    }
  } finally {
    lock.release();
  }
}
