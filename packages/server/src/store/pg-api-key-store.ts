import { isRole } from '@printermaster/protocol';
import type { Kysely, Selectable } from 'kysely';
import { GatewayError } from '../core/gateway-error.js';
import type { ApiKey, ApiKeyStore } from '../core/ports/api-key-store.js';
import type { ApiKeyTable, DatabaseSchema } from './database-schema.js';
import { isPgError, UNIQUE_VIOLATION } from './pg-errors.js';

const COLUMNS = [
  'id',
  'companyId',
  'branchId',
  'name',
  'role',
  'prefix',
  'expiresAt',
  'lastUsedAt',
  'revokedAt',
  'createdBy',
  'createdAt',
] as const;

export class PgApiKeyStore implements ApiKeyStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async insert(key: Parameters<ApiKeyStore['insert']>[0]): Promise<ApiKey> {
    try {
      const row = await this.db.insertInto('apiKeys').values(key).returning(COLUMNS).executeTakeFirstOrThrow();
      return toApiKey(row);
    } catch (err) {
      if (isPgError(err, UNIQUE_VIOLATION)) throw new GatewayError('CONFLICT', { cause: err });
      throw err;
    }
  }

  async findByHash(keyHash: string): Promise<{ apiKey: ApiKey; keyHash: string } | undefined> {
    const row = await this.db.selectFrom('apiKeys').select(COLUMNS).where('keyHash', '=', keyHash).executeTakeFirst();
    return row && { apiKey: toApiKey(row), keyHash };
  }

  async findById(id: string): Promise<ApiKey | undefined> {
    const row = await this.db.selectFrom('apiKeys').select(COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && toApiKey(row);
  }

  async list(filter: { companyId?: string | null; branchId?: string; includeRevoked?: boolean }): Promise<ApiKey[]> {
    let q = this.db.selectFrom('apiKeys').select(COLUMNS);
    if (filter.companyId === null) q = q.where('companyId', 'is', null);
    else if (filter.companyId !== undefined) q = q.where('companyId', '=', filter.companyId);
    if (filter.branchId !== undefined) q = q.where('branchId', '=', filter.branchId);
    if (!filter.includeRevoked) q = q.where('revokedAt', 'is', null);
    const rows = await q.orderBy('createdAt', 'desc').orderBy('id').execute();
    return rows.map(toApiKey);
  }

  async revoke(id: string, at: Date): Promise<ApiKey | undefined> {
    await this.db
      .updateTable('apiKeys')
      .set({ revokedAt: at })
      .where('id', '=', id)
      .where('revokedAt', 'is', null)
      .execute();
    return this.findById(id);
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.db.updateTable('apiKeys').set({ lastUsedAt: at }).where('id', '=', id).execute();
  }
}

function toApiKey(row: Pick<Selectable<ApiKeyTable>, (typeof COLUMNS)[number]>): ApiKey {
  if (!isRole(row.role)) throw new Error(`api_keys row ${row.id} has an unknown role`);
  return {
    id: row.id,
    companyId: row.companyId,
    branchId: row.branchId,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
  };
}
