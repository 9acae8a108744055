import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/store/database.js';
import { EmbeddedVacuum } from '../../src/store/embedded-vacuum.js';
import { migrate } from '../../src/store/migrator.js';
import { eventually } from '../support/socket-clients.js';
import { startTestGateway } from '../support/test-gateway.js';

/** The embedded store's autovacuum: PGlite has none of its own (embedded-vacuum.ts). */
describe('EmbeddedVacuum on the embedded store', () => {
  let database: Database;
  let vacuum: EmbeddedVacuum;
  const stats = async (table: string) =>
    (
      await sql<{ dead: number; analyzed: boolean; tuples: number }>`
        select s.n_dead_tup::int as dead, s.last_analyze is not null as analyzed, c.reltuples as tuples
          from pg_stat_user_tables s join pg_class c on c.oid = s.relid
         where s.relname = ${table}`.execute(database.db)
    ).rows[0];
  // What a lookup of open rows reads: dead entries of the partial index are stepped over one by one.
  const buffersToFindOpen = async () => {
    const { rows } = await sql<{ 'QUERY PLAN': string }>`
      explain (analyze, buffers, costs off) select count(*) from churn where state = 'open'`.execute(database.db);
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    return Number(/Buffers: shared hit=(\d+)/.exec(plan)?.[1] ?? Number.NaN);
  };

  beforeAll(async () => {
    database = await openDatabase({ kind: 'pglite', dataDir: 'memory' });
    await migrate(database);
    vacuum = new EmbeddedVacuum(database.db);
    await sql`create table churn (id int primary key, state text not null, n int not null)`.execute(database.db);
    await sql`create index churn_open on churn (id) where state = 'open'`.execute(database.db);
    await sql`create table quiet (id int primary key)`.execute(database.db);
  });
  afterAll(() => database.close());

  it('does nothing on a store that has not changed', async () => {
    const pass = await vacuum.run();
    expect(pass.vacuumed).toEqual([]);
    expect(pass.analyzed).toEqual([]);
  });

  it('vacuums and analyses a table whose rows changed state, and lookups of open rows stop paying for its past', async () => {
    await sql`insert into churn select g, 'open', 0 from generate_series(1, 20000) g`.execute(database.db);
    // Every row opened and closed again, as jobs and sessions are.
    await sql`update churn set state = 'closed', n = n + 1`.execute(database.db);
    await sql`update churn set state = 'open', n = n + 1`.execute(database.db);
    await sql`update churn set state = 'closed', n = n + 1`.execute(database.db);
    const before = await buffersToFindOpen();

    const pass = await vacuum.run();
    expect(pass.vacuumed).toContain('churn');
    expect(pass.vacuumed).not.toContain('quiet');
    expect(await stats('churn')).toMatchObject({ dead: 0, analyzed: true, tuples: 20000 });
    const after = await buffersToFindOpen();
    expect(after).toBeLessThan(before / 10);
  });

  it('leaves a table alone until enough changed since its last pass, then analyses it', async () => {
    await sql`update churn set n = n + 1 where id <= 10`.execute(database.db);
    expect((await vacuum.run()).vacuumed).not.toContain('churn');
    // 10 % of 20,000 rows and 50 more: analysed (the planner's estimates), not yet vacuumed.
    await sql`update churn set n = n + 1 where id <= 2100`.execute(database.db);
    const pass = await vacuum.run();
    expect(pass.analyzed).toContain('churn');
    expect(pass.vacuumed).not.toContain('churn');
  });
});

describe('the gateway on the embedded store', () => {
  it('vacuums it every PRINTERMASTER_EMBEDDED_VACUUM_INTERVAL_S, where enough changed', async () => {
    const gw = await startTestGateway({ env: { PRINTERMASTER_EMBEDDED_VACUUM_INTERVAL_S: '1' } });
    try {
      const db = gw.database.db;
      await sql`create table churn (id int primary key, n int not null)`.execute(db);
      await sql`insert into churn select g, 0 from generate_series(1, 1000) g`.execute(db);
      await sql`update churn set n = n + 1`.execute(db);
      await eventually(() => lastVacuum(db, 'churn'), 30_000, 'a vacuum of the table');
    } finally {
      await gw.close();
    }
  });

  it('puts the pass off while the event loop is busy (an agent storm), then runs it once the loop is quiet', async () => {
    const gw = await startTestGateway({ env: { PRINTERMASTER_EMBEDDED_VACUUM_INTERVAL_S: '1' } });
    let spinning = true;
    // Holds the loop 190 ms of every 200 or so, giving it back between so that statements and timers
    // still run: busy above the gate's three quarters even when the machine delays the timer.
    const spin = async () => {
      while (spinning) {
        const until = performance.now() + 190;
        while (performance.now() < until) {
          // busy
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const spinner = spin();
    try {
      const db = gw.database.db;
      // Every period measured from here on is a busy one.
      await busyFor(1_500);
      await sql`create table busy_churn (id int primary key, n int not null)`.execute(db);
      await sql`insert into busy_churn select g, 0 from generate_series(1, 1000) g`.execute(db);
      await sql`update busy_churn set n = n + 1`.execute(db);
      // About four periods pass from the start of the spin to here, fewer than the five a pass may
      // be put off: a margin of a period or more for a check that runs late.
      await busyFor(2_000);
      expect(await lastVacuum(db, 'busy_churn')).toBeNull();
      spinning = false;
      await spinner;
      await eventually(() => lastVacuum(db, 'busy_churn'), 30_000, 'a vacuum once the loop went quiet');
    } finally {
      spinning = false;
      await spinner;
      await gw.close();
    }
  });
});

/** Resolves after `ms` of wall time, while the spinner keeps the loop busy. */
function busyFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** When `table` was last vacuumed, or null. */
async function lastVacuum(db: Database['db'], table: string): Promise<Date | null> {
  const { rows } = await sql<{
    at: Date | null;
  }>`select last_vacuum as at from pg_stat_user_tables where relname = ${table}`.execute(db);
  return rows[0]?.at ?? null;
}
