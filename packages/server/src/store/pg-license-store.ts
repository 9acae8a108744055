import { type Kysely, type Selectable, sql } from 'kysely';
import { GatewayError } from '../core/gateway-error.js';
import type { License, LicenseStatus, LicenseStore } from '../core/ports/license-store.js';
import type { DatabaseSchema, LicenseTable } from './database-schema.js';
import { isPgError, UNIQUE_VIOLATION } from './pg-errors.js';
import { statementBatcher } from './statement-batcher.js';

export class PgLicenseStore implements LicenseStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async insert(license: Omit<License, 'lastValidatedAt' | 'createdAt'> & { keyHash: string }): Promise<License> {
    try {
      const row = await this.db
        .insertInto('licenses')
        .values({ ...license, features: JSON.stringify(license.features) })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toLicense(row);
    } catch (err) {
      if (isPgError(err, UNIQUE_VIOLATION)) throw new GatewayError('CONFLICT', { cause: err });
      throw err;
    }
  }

  /** Handshakes arriving together look their licences up in one statement. */
  private readonly byKeyHash = statementBatcher<string, License | undefined>(async (hashes) => {
    const rows = await this.db
      .selectFrom('licenses')
      .selectAll()
      .where('keyHash', 'in', [...new Set(hashes)])
      .execute();
    const found = new Map(rows.map((row) => [row.keyHash, toLicense(row)]));
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
    return rows.map((row) => ({ keyHash: row.keyHash, license: toLicense(row) }));
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

  async setStatus(id: string, status: LicenseStatus): Promise<License | undefined> {
    const row = await this.db
      .updateTable('licenses')
      .set({ status, updatedAt: sql`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toLicense(row);
  }

  async bindDevice(id: string, deviceId: string): Promise<License | undefined> {
    await this.db
      .updateTable('licenses')
      .set({ boundDeviceId: deviceId, updatedAt: sql`now()` })
      .where('id', '=', id)
      .where('boundDeviceId', 'is', null)
      .execute();
    return this.findById(id);
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
  };
}
