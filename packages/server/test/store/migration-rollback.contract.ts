import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/core/gateway-error.js';
import type { Database } from '../../src/store/database.js';
import { loadDownMigrations, rollback, rollbackTargets } from '../../src/store/migration-rollback.js';
import { loadMigrations, migrate } from '../../src/store/migrator.js';
import { isOnlyBookkeeping, type SchemaSnapshot, schemaSnapshot } from '../support/schema-snapshot.js';

/** Migrating and rolling back every migration runs tens of transactions; PGlite on a busy machine is slow. */
const SLOW_MS = 300_000;

/**
 * Down migrations, run against every database: each one undoes its migration exactly, so that
 * after a rollback to version N the schema is the one a fresh migrate to N makes, and migrating
 * again makes the newest schema again.
 */
export function describeMigrationRollback(
  label: string,
  open: () => Promise<{ database: Database; teardown: () => Promise<void> }>,
) {
  describe(`migration rollback (${label})`, () => {
    const migrations = loadMigrations();
    const versions = migrations.map((m) => m.version);
    const newest = versions.at(-1) as number;
    /** The schema a fresh migrate up to each version makes (0: none applied). */
    const fresh = new Map<number, SchemaSnapshot>();
    let database: Database;
    let teardown: () => Promise<void>;

    const appliedVersions = async () =>
      (await database.db.selectFrom('schemaMigrations').select('version').orderBy('version').execute()).map(
        (r) => r.version,
      );

    beforeAll(async () => {
      ({ database, teardown } = await open());
      await migrate(database, []);
      fresh.set(0, await schemaSnapshot(database));
      for (const [i, migration] of migrations.entries()) {
        await migrate(database, migrations.slice(0, i + 1));
        fresh.set(migration.version, await schemaSnapshot(database));
      }
    }, SLOW_MS);
    afterAll(async () => {
      await database?.close();
      await teardown?.();
    });

    it(
      'rolls every migration back with rows in the tables, leaving only its bookkeeping table, then migrates again to the schema of a fresh migrate',
      async () => {
        const companyId = randomUUID();
        await database.db.insertInto('companies').values({ id: companyId, name: 'Rollback Diner' }).execute();
        await database.db.insertInto('branches').values({ id: randomUUID(), companyId, name: 'Main' }).execute();
        await database.db
          .insertInto('auditLog')
          .values({ companyId, actor: 'test', action: 'company.create' })
          .execute();

        const undone = await rollback(database, 0);

        expect(undone.map((m) => m.version)).toEqual([...versions].reverse());
        const empty = await schemaSnapshot(database);
        expect(isOnlyBookkeeping(empty), JSON.stringify(empty, null, 2)).toBe(true);
        expect(empty).toEqual(fresh.get(0));
        expect(await appliedVersions()).toEqual([]);

        expect((await migrate(database)).map((m) => m.version)).toEqual(versions);
        expect(await schemaSnapshot(database)).toEqual(fresh.get(newest));
      },
      SLOW_MS,
    );

    it(
      'rolls back each migration on its own to the version before, and migrates up again',
      async () => {
        for (const i of versions.keys()) {
          const before = i === 0 ? 0 : (versions[i - 1] as number);
          const undone = await rollback(database, before);
          expect(undone.map((m) => m.version)).toEqual(versions.slice(i).reverse());
          expect(await schemaSnapshot(database), `after rolling back to ${before}`).toEqual(fresh.get(before));
          expect(await appliedVersions()).toEqual(versions.slice(0, i));
          await migrate(database);
          expect(await schemaSnapshot(database), `after migrating up again from ${before}`).toEqual(fresh.get(newest));
        }
      },
      SLOW_MS,
    );

    it('keeps the rows of the tables a rollback leaves in place', async () => {
      const companyId = randomUUID();
      await database.db.insertInto('companies').values({ id: companyId, name: 'Kept Diner' }).execute();
      const first = versions[0] as number;
      await rollback(database, first);
      const rows = await database.db.selectFrom('companies').select('name').where('id', '=', companyId).execute();
      expect(rows).toEqual([{ name: 'Kept Diner' }]);
      await migrate(database);
      expect(await schemaSnapshot(database)).toEqual(fresh.get(newest));
    });

    it('answers nothing to undo when the version is the newest applied', async () => {
      expect(await rollback(database, newest)).toEqual([]);
      expect(await appliedVersions()).toEqual(versions);
    });

    it('refuses a version that is not applied, changing nothing', async () => {
      const before = await schemaSnapshot(database);
      for (const toVersion of [newest + 1, -1, 1.5]) {
        const err = await rollback(database, toVersion).catch((e: unknown) => e);
        expect(err, String(toVersion)).toBeInstanceOf(GatewayError);
        expect((err as GatewayError).code).toBe('BAD_REQUEST');
        expect((err as GatewayError).message).toContain(`version ${toVersion} is not an applied migration`);
      }
      expect(await schemaSnapshot(database)).toEqual(before);
      expect(await appliedVersions()).toEqual(versions);
    });

    it('refuses, changing nothing, when a migration to undo has no down file or one of another name', async () => {
      const before = await schemaSnapshot(database);
      const downs = loadDownMigrations();
      const middle = versions[Math.floor(versions.length / 2)] as number;
      const withoutMiddle = downs.filter((d) => d.version !== middle);
      const err = (await rollback(database, 0, withoutMiddle).catch((e: unknown) => e)) as GatewayError;
      expect(err).toBeInstanceOf(GatewayError);
      expect(err.code).toBe('CONFLICT');
      expect(err.message).toMatch(
        new RegExp(`no down migration for ${middle}_\\S+ \\(looked for migrations/down/0*${middle}_`),
      );

      const renamed = downs.map((d) => (d.version === newest ? { ...d, name: 'something_else' } : d));
      const err2 = (await rollback(database, 0, renamed).catch((e: unknown) => e)) as GatewayError;
      expect(err2.code).toBe('CONFLICT');

      expect(await schemaSnapshot(database)).toEqual(before);
      expect(await appliedVersions()).toEqual(versions);
    });

    it('lists the versions it can roll back to, down to the first migration without a down file', async () => {
      expect(await rollbackTargets(database)).toEqual([...versions.slice(0, -1)].reverse().concat(0));
      const middleIndex = Math.floor(versions.length / 2);
      const middle = versions[middleIndex] as number;
      const withoutMiddle = loadDownMigrations().filter((d) => d.version !== middle);
      expect(await rollbackTargets(database, withoutMiddle)).toEqual(versions.slice(middleIndex, -1).reverse());
    });
  });
}
