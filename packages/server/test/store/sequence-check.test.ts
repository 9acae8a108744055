import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/ports/logger.js';
import { type Database, openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrator.js';
import { repairSequences } from '../../src/store/sequence-check.js';
import { createTestSchema, postgresAvailable, TEST_DATABASE_URL } from '../support/test-database.js';
import { startTestGateway } from '../support/test-gateway.js';

const postgres = await postgresAvailable();

/** Warnings as the gateway's logger gets them. */
function recordingLogger(): Logger & { warnings: { fields: Record<string, unknown>; msg: string }[] } {
  const warnings: { fields: Record<string, unknown>; msg: string }[] = [];
  const logger = {
    warnings,
    debug: () => {},
    info: () => {},
    warn: (fields: Record<string, unknown>, msg: string) => warnings.push({ fields, msg }),
    error: () => {},
    child: () => logger,
  };
  return logger;
}

const stores: [string, () => Promise<{ database: Database; teardown: () => Promise<void> }>][] = [
  [
    'pglite',
    async () => {
      const database = await openDatabase({ kind: 'pglite', dataDir: 'memory' });
      return { database, teardown: () => database.close() };
    },
  ],
];
if (postgres) {
  stores.push([
    'postgres',
    async () => {
      const { schema, drop } = await createTestSchema();
      const database = await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, schema });
      return {
        database,
        teardown: async () => {
          await database.close();
          await drop();
        },
      };
    },
  ]);
}

const lastValue = async (database: Database, sequence: string) =>
  Number(
    (await sql<{ v: string }>`select last_value::text as v from ${sql.raw(sequence)}`.execute(database.db)).rows[0]?.v,
  );

describe.each(stores)('repairSequences (%s)', (_name, open) => {
  const addAuditRows = (database: Database, n: number) =>
    sql`insert into audit_log (actor, action) select 'test', 'seq.check' from generate_series(1, ${n})`.execute(
      database.db,
    );

  it('moves a sequence left behind its table up to the highest id, once, with one warning, and inserts work again', async () => {
    const { database, teardown } = await open();
    try {
      await migrate(database);
      await addAuditRows(database, 5);
      const seq = (await sql<{ s: string }>`select pg_get_serial_sequence('audit_log', 'id') as s`.execute(database.db))
        .rows[0]?.s as string;
      // What a dump's setval lines do when loaded over newer rows.
      await sql`select setval(${seq}::regclass, 2, true)`.execute(database.db);
      await expect(addAuditRows(database, 1)).rejects.toThrow(/duplicate key|unique/i);

      const logger = recordingLogger();
      const { repaired } = await repairSequences(database, logger);
      expect(repaired).toEqual([{ sequence: seq, table: 'audit_log', column: 'id', from: 3, to: 5 }]);
      expect(logger.warnings).toEqual([
        {
          msg: 'sequence behind its table repaired',
          fields: { sequence: seq, table: 'audit_log', column: 'id', from: 3, to: 5 },
        },
      ]);
      await addAuditRows(database, 1);
      expect(await lastValue(database, seq)).toBe(6);
      expect((await repairSequences(database, logger)).repaired).toEqual([]);
      expect(logger.warnings).toHaveLength(1);
    } finally {
      await teardown();
    }
  });

  it('never moves a sequence down, and leaves empty tables alone', async () => {
    const { database, teardown } = await open();
    try {
      await migrate(database);
      await addAuditRows(database, 2);
      const seq = (await sql<{ s: string }>`select pg_get_serial_sequence('audit_log', 'id') as s`.execute(database.db))
        .rows[0]?.s as string;
      await sql`select setval(${seq}::regclass, 1000, true)`.execute(database.db);
      expect((await repairSequences(database)).repaired).toEqual([]);
      expect(await lastValue(database, seq)).toBe(1000);
    } finally {
      await teardown();
    }
  });
});

describe.runIf(postgres)('a gateway on PostgreSQL whose sequences a restore moved back', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('repairs them when it starts, and takes print jobs again', async () => {
    const { schema, drop } = await createTestSchema();
    cleanup.push(drop);
    const first = await startTestGateway({ store: 'postgres', schema });
    const t = await first.seedTenant();
    const token = await first.token('branch_manager', { companyId: t.companyId, branchId: t.branchId });
    const post = async (url: string, path: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const printer = (await (
      await post(first.url, '/printing/printers', { branchId: t.branchId, name: 'P' })
    ).json()) as {
      printer: { id: string };
    };
    const job = { printerId: printer.printer.id, content: Buffer.from('\x1b@hello\n').toString('base64') };
    for (let i = 0; i < 3; i++) expect((await post(first.url, '/printing/jobs', job)).status).toBe(202);
    await first.close();

    const database = await openDatabase({ kind: 'postgres', url: TEST_DATABASE_URL, schema });
    cleanup.push(() => database.close());
    for (const table of ['events', 'print_job_events']) {
      await sql`select setval(pg_get_serial_sequence(${table}, 'id'), 1, true)`.execute(database.db);
    }

    const second = await startTestGateway({ store: 'postgres', schema });
    cleanup.push(() => second.close());
    expect((await post(second.url, '/printing/jobs', job)).status).toBe(202);
    for (const table of ['events', 'print_job_events']) {
      const { rows } = await sql<{ max: string; seq: string }>`
        select (select max(id) from ${sql.id(table)})::text as max, pg_get_serial_sequence(${table}, 'id') as seq`.execute(
        database.db,
      );
      const row = rows[0] as { max: string; seq: string };
      expect(await lastValue(database, row.seq)).toBeGreaterThanOrEqual(Number(row.max));
    }
  });
});
