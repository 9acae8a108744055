import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../packages/server/src/store/database.js';
import { writeBackupFile } from '../../packages/server/src/store/embedded-backup.js';
import { migrate } from '../../packages/server/src/store/migrator.js';

/**
 * Vitest's global setup: one backup of a new, migrated embedded store, which every in-memory
 * gateway of `startTestGateway` begins from (PRINTERMASTER_STORE_SEED, given to it as
 * PRINTERMASTER_TEST_STORE_SEED). PostgreSQL's initdb and the migrations then run once per suite,
 * not once per gateway: about 2 s of CPU each, over a hundred times. Gateways on a data directory
 * and the gateways tests spawn start from nothing, as a new site's does: seeding a directory on
 * disk costs as much as creating it.
 */
export async function setup(): Promise<() => void> {
  if (process.env.PRINTERMASTER_TEST_STORE_SEED !== undefined) return () => {};
  const dir = mkdtempSync(join(tmpdir(), 'pm-store-seed-'));
  const database = await openDatabase({ kind: 'pglite', dataDir: 'memory' });
  try {
    await migrate(database);
    const bytes = await database.backup?.();
    if (!bytes) throw new Error('the embedded store gave no backup');
    writeBackupFile(join(dir, 'seed.tgz'), bytes);
  } finally {
    await database.close();
  }
  process.env.PRINTERMASTER_TEST_STORE_SEED = join(dir, 'seed.tgz');
  return () => {
    delete process.env.PRINTERMASTER_TEST_STORE_SEED;
    rmSync(dir, { recursive: true, force: true });
  };
}
