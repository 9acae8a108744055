import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import { GatewayError } from '../core/gateway-error.js';
import { licenceEvent } from '../core/licence-event.js';
import type { LicenceChange, License, LicenseStatus, LicenseStore, NewLicense } from '../core/ports/license-store.js';
import type { DatabaseSchema, LicenseTable } from './database-schema.js';
import { outboxRow } from './outbox-rows.js';
import { isPgError, UNIQUE_VIOLATION } from './pg-errors.js';
import { statementBatcher } from './statement-batcher.js';

export class PgLicenseStore implements LicenseStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async insert(license: NewLicense): Promise<License> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('licenses')
          .values({ ...license, features: JSON.stringify(license.features) })
          .returningAll()
          .executeTakeFirstOrThrow();
        return recorded(trx, toLicense(row), 'issued');
      });
    } catch (err) {
      if (isPgError(err, UNIQUE_VIOLATION)) throw new GatewayError('CONFLICT', { cause: err });
      throw err;
    }
  }

  /** Handshakes arriving together look their licences up in one statement. */
  private readonly byKeyHash = statementBatcher<string, License | undefined>(async (hashes) => {
    const unique = [...new Set(hashes)];
    const rows = await this.db
      .selectFrom('licenses')
      .selectAll()
      .where((eb) => eb.or([eb('keyHash', 'in', unique), eb('previousKeyHash', 'in', unique)]))
      .execute();
    const found = new Map<string, License>();
    for (const row of rows) {
      const license = toLicense(row);
      found.set(row.keyHash, license);
      if (row.previousKeyHash !== null) found.set(row.previousKeyHash, license);
    }
    return hashes.map((hash) => found.get(hash));
  });

  findByKeyHash(keyHash: string): Promise<License | undefined> {
    return this.byKeyHash.load(keyHash);
  }

  async listWithKeyHashes(limit: number): Promise<{ keyHash: string; license: License }[]> {
    const rows = await this.db
      .selectFrom('licenses')
      .selectAll()
      .orderBy(sql`last_validated_at desc nulls last`)
      .limit(limit)
      .execute();
    return rows.flatMap((row) => {
      const license = toLicense(row);
      const current = { keyHash: row.keyHash, license };
      return row.previousKeyHash === null ? [current] : [current, { keyHash: row.previousKeyHash, license }];
    });
  }

  async findById(id: string): Promise<License | undefined> {
    const row = await this.db.selectFrom('licenses').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toLicense(row);
  }

  async list(filter: { companyId?: string; branchId?: string }): Promise<License[]> {
    let q = this.db.selectFrom('licenses').selectAll();
    if (filter.companyId) q = q.where('companyId', '=', filter.companyId);
    if (filter.branchId) q = q.where('branchId', '=', filter.branchId);
    const rows = await q.orderBy('createdAt').execute();
    return rows.map(toLicense);
  }

  async setStatus(id: string, status: LicenseStatus, change?: LicenceChange): Promise<License | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('licenses')
        .set({ status, updatedAt: sql`now()` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      return change ? recorded(trx, toLicense(row), change) : toLicense(row);
    });
  }

  async rotateKey(
    id: string,
    key: { keyHash: string; keyHint: string; previousKeyValidUntil: Date | null },
  ): Promise<License | undefined> {
    const keep = key.previousKeyValidUntil !== null;
    try {
      return await this.db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('licenses')
          .set({
            keyHash: key.keyHash,
            keyHint: key.keyHint,
            // The right-hand side reads the row as it was: the key being replaced.
            previousKeyHash: keep ? sql<string>`key_hash` : null,
            previousKeyValidUntil: key.previousKeyValidUntil,
            updatedAt: sql`now()`,
          })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        return row && recorded(trx, toLicense(row), 'rotated');
      });
    } catch (err) {
      if (isPgError(err, UNIQUE_VIOLATION)) throw new GatewayError('CONFLICT', { cause: err });
      throw err;
    }
  }

  async bindDevice(id: string, deviceId: string, change?: 'bound'): Promise<License | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('licenses')
        .set({ boundDeviceId: deviceId, updatedAt: sql`now()` })
        .where('id', '=', id)
        .where('boundDeviceId', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (row) return change ? recorded(trx, toLicense(row), change) : toLicense(row);
      const current = await trx.selectFrom('licenses').selectAll().where('id', '=', id).executeTakeFirst();
      return current && toLicense(current);
    });
  }

  async unbindDevice(id: string): Promise<License | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('licenses')
        .set({ boundDeviceId: null, updatedAt: sql`now()` })
        .where('id', '=', id)
        .where('boundDeviceId', 'is not', null)
        .returningAll()
        .executeTakeFirst();
      if (row) return recorded(trx, toLicense(row), 'unbound');
      const current = await trx.selectFrom('licenses').selectAll().where('id', '=', id).executeTakeFirst();
      return current && toLicense(current);
    });
  }

  async keyHashesOf(scope: { companyId?: string; branchId?: string }): Promise<string[]> {
    let q = this.db.selectFrom('licenses').select(['keyHash', 'previousKeyHash']);
    if (scope.companyId) q = q.where('companyId', '=', scope.companyId);
    if (scope.branchId) q = q.where('branchId', '=', scope.branchId);
    const rows = await q.execute();
    return rows.flatMap((r) => (r.previousKeyHash === null ? [r.keyHash] : [r.keyHash, r.previousKeyHash]));
  }

  async touchValidated(id: string, at: Date): Promise<void> {
    await this.db.updateTable('licenses').set({ lastValidatedAt: at }).where('id', '=', id).execute();
  }
}

function toLicense(row: Selectable<LicenseTable>): License {
  return {
    id: row.id,
    companyId: row.companyId,
    branchId: row.branchId,
    keyHint: row.keyHint,
    status: row.status as LicenseStatus,
    expiresAt: row.expiresAt,
    boundDeviceId: row.boundDeviceId,
    maxPrinters: row.maxPrinters,
    features: row.features,
    lastValidatedAt: row.lastValidatedAt,
    createdAt: row.createdAt,
    previousKeyHash: row.previousKeyHash,
    previousKeyValidUntil: row.previousKeyValidUntil,
  };
}

/** Writes the outbox event of a licence change in the change's transaction; returns the licence. */
async function recorded(trx: Transaction<DatabaseSchema>, license: License, change: LicenceChange): Promise<License> {
  await trx
    .insertInto('events')
    .values(outboxRow(licenceEvent(license, change)))
    .execute();
  return license;
}
