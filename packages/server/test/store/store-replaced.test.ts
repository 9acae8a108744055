import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { OWNER_FILE } from '../../src/store/store-ownership.js';
import { eventually } from '../support/socket-clients.js';

/**
 * An operator's rollback that unpacks an archive of the checkout, store included, over the store of
 * a running gateway (runbook 004: `tar -xzf backup.tar.gz && pm2 reload`). The process that had the
 * store open must not write its state into the files it no longer owns when it closes.
 */
describe('the embedded store replaced under a running process', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('is left as unpacked when the process closes, and opens with what the archive held', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pm-replaced-'));
    dirs.push(dir);
    const archive = join(dir, 'backup.tar');
    const live = await openDatabase({ kind: 'pglite', dataDir: join(dir, 'data') });
    await sql`create table tickets (n int not null)`.execute(live.db);
    await sql`insert into tickets values (1)`.execute(live.db);
    // The archive, taken from the running store (as `tar -czf … .` takes it).
    execFileSync('tar', ['-cf', archive, '-C', dir, 'data/pgdata']);
    await sql`insert into tickets select generate_series(2, 500)`.execute(live.db);
    // Rollbacks come minutes after the archive: here, once the process has rewritten its file in the store.
    const owner = join(dir, 'data', 'pgdata', OWNER_FILE);
    const archived = readFileSync(owner, 'utf8');
    await eventually(() => readFileSync(owner, 'utf8') !== archived, 30_000, 'the owner file rewritten');
    // The rollback unpacks it over the live store, then the process stops.
    execFileSync('tar', ['-xf', archive, '-C', dir]);
    // At its next check the process stops reading and writing them: a ticket is refused, not stored where it would be lost.
    const refused = await eventually(
      () =>
        sql`select 1`.execute(live.db).then(
          () => undefined,
          (err: unknown) => err as { code?: string },
        ),
      30_000,
      'statements refused',
    );
    expect(refused.code).toBe('SERVICE_UNAVAILABLE');
    await expect(sql`insert into tickets values (501)`.execute(live.db)).rejects.toThrow(
      /were replaced while this process/,
    );
    await expect(live.close()).rejects.toThrow(/were replaced while this process/);

    expect(await ticketsIn(join(dir, 'data'))).toBe(1);
  });

  it('closes as usual when its files are its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pm-replaced-'));
    dirs.push(dir);
    const live = await openDatabase({ kind: 'pglite', dataDir: join(dir, 'data') });
    await sql`create table tickets (n int not null)`.execute(live.db);
    await sql`insert into tickets select generate_series(1, 500)`.execute(live.db);
    await live.close();
    expect(await ticketsIn(join(dir, 'data'))).toBe(500);
  });
});

/** How many tickets a new process opening the store at `dataDir` finds. */
async function ticketsIn(dataDir: string): Promise<number | undefined> {
  const store = await openDatabase({ kind: 'pglite', dataDir });
  try {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from tickets`.execute(store.db);
    return rows[0]?.n;
  } finally {
    await store.close();
  }
}
