import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/store/database.js';

describe('PGlite dialect', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ kind: 'pglite', dataDir: 'memory' });
  });
  afterAll(() => database.close());

  it('gives the event loop a turn while a long queue of queries drains', async () => {
    let done = 0;
    let doneWhenLoopTurned: number | undefined;
    const queries = Array.from({ length: 1000 }, (_, i) =>
      sql<{ n: number }>`select ${i}::int as n`.execute(database.db).then((r) => {
        done += 1;
        return r.rows[0]?.n;
      }),
    );
    setImmediate(() => {
      doneWhenLoopTurned = done;
    });
    const results = await Promise.all(queries);
    // Every caller got its own answer, in order, and timers and I/O did not wait for all of them.
    expect(results).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(doneWhenLoopTurned).toBeDefined();
    expect(doneWhenLoopTurned).toBeLessThan(1000);
  });

  it('keeps a transaction’s queries together while others wait', async () => {
    await sql`create table if not exists t_order (seq serial primary key, who text not null)`.execute(database.db);
    const inTx = database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 20; i++) await sql`insert into t_order (who) values ('tx')`.execute(trx);
    });
    const outside = Array.from({ length: 20 }, () =>
      sql`insert into t_order (who) values ('out')`.execute(database.db),
    );
    await Promise.all([inTx, ...outside]);
    const rows = await sql<{ who: string }>`select who from t_order order by seq`.execute(database.db);
    const txRows = rows.rows.map((r, i) => (r.who === 'tx' ? i : -1)).filter((i) => i >= 0);
    expect(txRows).toHaveLength(20);
    expect(txRows.at(-1)! - txRows[0]!).toBe(19);
  });
});
