import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLockedError } from '../../src/store/data-dir-lock.js';
import { pendingPglite } from '../../src/store/pending-pglite.js';

/**
 * The embedded store built on before it opens (decision 0010): a successor builds the gateway on it
 * while the old process lets go of the data directory.
 */
describe('the embedded store before it opens', () => {
  const root = mkdtempSync(join(tmpdir(), 'pm-pending-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('holds statements made before the opening until the set-up has run, then runs them in order', async () => {
    const phases: string[] = [];
    const pending = pendingPglite('memory', 0, (phase) => phases.push(phase));
    const { db } = pending.database;
    // Asked before anything is open: it must see what the set-up makes.
    const early = sql<{ n: number }>`select n from made_by_set_up`.execute(db);
    const ping = pending.database.ping();
    let setUpRan = false;
    await pending.open(async (first) => {
      await sql`create table made_by_set_up (n int)`.execute(first.db);
      await sql`insert into made_by_set_up values (7)`.execute(first.db);
      setUpRan = true;
    });
    try {
      expect(setUpRan).toBe(true);
      expect((await early).rows).toEqual([{ n: 7 }]);
      expect(await ping).toBeGreaterThanOrEqual(0);
      expect(phases).toEqual(['lock', 'pglite']);
    } finally {
      await pending.database.close();
    }
  });

  it('fails what waited when the data directory stays locked, and leaves the owner its lock', async () => {
    const dataDir = join(root, 'locked');
    mkdirSync(dataDir, { recursive: true });
    // A live process other than this one (the test runner's parent) owns the directory.
    const lockFile = join(dataDir, 'printermaster.lock');
    writeFileSync(lockFile, String(process.ppid));
    const pending = pendingPglite(dataDir, 0);
    const waiting = sql`select 1`.execute(pending.database.db);
    await expect(pending.open(async () => {})).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(waiting).rejects.toBeInstanceOf(DataDirLockedError);
    await pending.database.close();
    expect(existsSync(lockFile)).toBe(true);
    expect(readFileSync(lockFile, 'utf8')).toBe(String(process.ppid));
  });

  it('closed while nothing opened it yet, ends without touching the data directory', async () => {
    const dataDir = join(root, 'never-opened');
    const pending = pendingPglite(dataDir, 0);
    await pending.database.close();
    expect(existsSync(dataDir)).toBe(false);
  });
});
