import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrator.js';
import { outboxRow } from '../../src/store/outbox-rows.js';
import { PgEventStore } from '../../src/store/pg-event-store.js';
import { createTestSchema, postgresAvailable, TEST_DATABASE_URL } from '../support/test-database.js';

const available = await postgresAvailable();

/**
 * Two processes' worth of writers and sequencers on one PostgreSQL schema: every event gets one
 * seq, the seqs run without a gap, and a reader that follows the cursor never finds an event
 * behind it.
 */
describe.skipIf(!available)('event sequencer under concurrent writers (postgres)', () => {
  let a: Database;
  let b: Database;
  let drop: () => Promise<void>;
  const companyId = randomUUID();

  beforeAll(async () => {
    const created = await createTestSchema();
    drop = created.drop;
    a = await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, schema: created.schema, poolSize: 4 });
    b = await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, schema: created.schema, poolSize: 4 });
    await migrate(a);
    await a.db.insertInto('companies').values({ id: companyId, name: 'Acme' }).execute();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
  });

  it('sequences every event once, contiguously, in the order readers see them', async () => {
    const perWriter = 150;
    // Each writer commits its events in transactions of one to three, holding some open while others commit,
    // so that ids commit out of order.
    const writer = async (db: Database, name: string) => {
      for (let i = 0; i < perWriter; ) {
        const n = Math.min(1 + (i % 3), perWriter - i);
        await db.db.transaction().execute(async (trx) => {
          for (let k = 0; k < n; k++) {
            await trx
              .insertInto('events')
              .values(
                outboxRow({ companyId, branchId: null, type: 'job.queued', subjectId: `${name}-${i + k}`, data: {} }),
              )
              .execute();
            if (k === 0) await new Promise((r) => setImmediate(r));
          }
        });
        i += n;
      }
    };
    let writing = true;
    let sequencing = true;
    const sequencer = async (db: Database) => {
      const store = new PgEventStore(db.db);
      let passes = 0;
      for (;;) {
        const done = !writing;
        const batch = await store.sequence(7);
        passes++;
        if (done && batch.count === 0) return passes;
      }
    };
    // A reader follows the cursor like the feed: nothing it finds may be at or below what it saw before.
    const seen: string[] = [];
    const reader = async () => {
      const store = new PgEventStore(a.db);
      let after = '0';
      for (;;) {
        const done = !sequencing;
        const page = await store.list({ companyId, afterSeq: after, limit: 50 });
        for (const e of page) {
          expect(BigInt(e.seq)).toBeGreaterThan(BigInt(after));
          after = e.seq;
          seen.push(e.subjectId);
        }
        if (done && page.length === 0) return;
      }
    };
    const sequencers = Promise.all([sequencer(a), sequencer(b)]);
    const readerDone = reader();
    await Promise.all([writer(a, 'a'), writer(b, 'b'), writer(a, 'c'), writer(b, 'd')]);
    writing = false;
    const passes = await sequencers;
    sequencing = false;
    await readerDone;
    expect(passes.every((p) => p > 0)).toBe(true);

    const rows = await a.db.selectFrom('events').select(['id', 'seq', 'subjectId']).orderBy('seq').execute();
    expect(rows).toHaveLength(4 * perWriter);
    expect(rows.every((r) => r.seq !== null)).toBe(true);
    const seqs = rows.map((r) => BigInt(r.seq as string));
    expect(seqs).toEqual(seqs.map((_, i) => BigInt(i + 1)));
    // The reader saw each event once, in seq order.
    expect(seen).toEqual(rows.map((r) => r.subjectId));
    // Each writer's events were sequenced in the order it wrote them.
    for (const name of ['a', 'b', 'c', 'd']) {
      const mine = rows.filter((r) => r.subjectId.startsWith(`${name}-`)).map((r) => Number(r.subjectId.slice(2)));
      expect(mine).toEqual([...mine].sort((x, y) => x - y));
    }
  });
});
