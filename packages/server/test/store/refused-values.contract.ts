import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/core/gateway-error.js';
import type { Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrator.js';
import { createStores, type Stores } from '../../src/store/stores.js';

async function refusal(work: () => Promise<unknown>): Promise<GatewayError> {
  const err = await work().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatewayError);
  return err as GatewayError;
}

/**
 * The store's last line behind input validation (issue 14, item 6): a value PostgreSQL refuses
 * is a `BAD_REQUEST` at the store's edge, on every database, never an `INTERNAL`.
 */
export function describeRefusedValues(
  label: string,
  open: () => Promise<{ database: Database; teardown: () => Promise<void> }>,
): void {
  describe(`values the database refuses (${label})`, () => {
    let database: Database;
    let teardown: () => Promise<void>;
    let stores: Stores;

    beforeAll(async () => {
      ({ database, teardown } = await open());
      await migrate(database);
      stores = createStores(database, (err) => {
        throw err;
      });
    });
    afterAll(async () => {
      await database.close();
      await teardown();
    });

    it('answers a NUL in text with BAD_REQUEST naming the SQLSTATE', async () => {
      const e = await refusal(() => stores.tenants.createCompany({ id: randomUUID(), name: 'a\u0000b' }));
      expect(e.code).toBe('BAD_REQUEST');
      expect(e.details?.sqlState).toMatch(/^22/);
    });

    it('answers a date-time before what PostgreSQL stores (4713 BC) with BAD_REQUEST', async () => {
      const e = await refusal(() => sql`select ${new Date(-8.64e15)}::timestamptz as t`.execute(database.db));
      expect(e.code).toBe('BAD_REQUEST');
    });

    it('answers a check constraint (a port past 65535) with BAD_REQUEST', async () => {
      const companyId = randomUUID();
      const branchId = randomUUID();
      await stores.tenants.createCompany({ id: companyId, name: 'Acme' });
      await stores.tenants.createBranch({ id: branchId, companyId, name: 'Downtown' });
      const e = await refusal(() =>
        stores.printers.insert({ id: randomUUID(), companyId, branchId, name: 'P', port: 99_999 }),
      );
      expect(e).toMatchObject({ code: 'BAD_REQUEST', details: { sqlState: '23514' } });
    });

    it('leaves other errors to the stores: a unique violation passes through as it was', async () => {
      // Raw statements, since the tenant store itself turns this one into CONFLICT for the admin API.
      const id = randomUUID();
      await sql`insert into companies (id, name) values (${id}, 'Once')`.execute(database.db);
      const err = await sql`insert into companies (id, name) values (${id}, 'Twice')`.execute(database.db).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).not.toBeInstanceOf(GatewayError);
      expect(err).toMatchObject({ code: '23505' });
    });

    it('keeps translating inside transactions', async () => {
      const e = await refusal(() =>
        database.db.transaction().execute((trx) => sql`select ${'x\u0000'}::text as t`.execute(trx)),
      );
      expect(e.code).toBe('BAD_REQUEST');
    });
  });
}
