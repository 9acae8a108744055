import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { loadDownMigrations } from '../../src/store/migration-rollback.js';
import { loadMigrations } from '../../src/store/migrator.js';
import { describeMigrationRollback } from './migration-rollback.contract.js';

describe('down migrations', () => {
  it('exist for every migration, under the same file name in migrations/down', () => {
    const up = loadMigrations().map((m) => `${m.version}_${m.name}`);
    const down = loadDownMigrations().map((m) => `${m.version}_${m.name}`);
    expect(
      up.filter((m) => !down.includes(m)),
      'migrations without a down file',
    ).toEqual([]);
    expect(
      down.filter((m) => !up.includes(m)),
      'down files without a migration',
    ).toEqual([]);
  });
});

describeMigrationRollback('pglite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pm-rollback-'));
  return {
    database: await openDatabase({ kind: 'pglite', dataDir: join(dir, 'data') }),
    teardown: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
