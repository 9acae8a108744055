import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBackupFile } from '../../src/store/embedded-backup.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

const companyNames = async (gw: TestGateway): Promise<string[]> =>
  (await gw.database.db.selectFrom('companies').select('name').orderBy('name').execute()).map((r) => r.name);

/** PRINTERMASTER_STORE_SEED: a new embedded store starts from a backup, an existing one is left alone. */
describe('a new embedded store started from a backup', () => {
  let root: string;
  let seed: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'pm-seed-'));
    seed = join(root, 'golden.tgz');
    const source = await startTestGateway({ env: { PRINTERMASTER_STORE_SEED: '' } });
    try {
      await source.seedTenant('Golden company');
      const bytes = await source.database.backup?.();
      if (!bytes) throw new Error('no backup of the embedded store');
      writeBackupFile(seed, bytes);
    } finally {
      await source.close();
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('in memory holds the backup’s rows, and writing to it leaves the backup file as it was', async () => {
    const before = readFileSync(seed);
    const gw = await startTestGateway({ env: { PRINTERMASTER_STORE_SEED: seed } });
    try {
      expect(await companyNames(gw)).toEqual(['Golden company']);
      await gw.seedTenant('Written later');
      expect(await companyNames(gw)).toEqual(['Golden company', 'Written later']);
    } finally {
      await gw.close();
    }
    expect(readFileSync(seed).equals(before)).toBe(true);
    // A second store from the same file starts from the backup again, not from the first one's writes.
    const again = await startTestGateway({ env: { PRINTERMASTER_STORE_SEED: seed } });
    try {
      expect(await companyNames(again)).toEqual(['Golden company']);
    } finally {
      await again.close();
    }
  });

  it('in a data directory with no store yet holds the backup’s rows; a directory’s own store is never replaced', async () => {
    const dataDir = join(root, 'site');
    const first = await startTestGateway({ dataDir, env: { PRINTERMASTER_STORE_SEED: seed } });
    try {
      expect(await companyNames(first)).toEqual(['Golden company']);
      await first.seedTenant('Site company');
    } finally {
      await first.close();
    }
    const restarted = await startTestGateway({ dataDir, env: { PRINTERMASTER_STORE_SEED: seed } });
    try {
      expect(await companyNames(restarted)).toEqual(['Golden company', 'Site company']);
    } finally {
      await restarted.close();
    }
  });

  it('refuses to start, naming the variable, when the backup cannot be read', async () => {
    await expect(startTestGateway({ env: { PRINTERMASTER_STORE_SEED: join(root, 'missing.tgz') } })).rejects.toThrow(
      /PRINTERMASTER_STORE_SEED: .*missing\.tgz cannot be read/,
    );
  });
});
