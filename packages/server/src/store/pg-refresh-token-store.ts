import { isRole } from '@printermaster/protocol';
import type { Kysely, Selectable } from 'kysely';
import type { RefreshToken, RefreshTokenStore } from '../core/ports/refresh-token-store.js';
import type { DatabaseSchema, RefreshTokenTable } from './database-schema.js';

export class PgRefreshTokenStore implements RefreshTokenStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async insert(token: Parameters<RefreshTokenStore['insert']>[0]): Promise<void> {
    await this.db.insertInto('refreshTokens').values(token).execute();
  }

  async findByHash(tokenHash: string): Promise<RefreshToken | undefined> {
    const row = await this.db
      .selectFrom('refreshTokens')
      .selectAll()
      .where('tokenHash', '=', tokenHash)
      .executeTakeFirst();
    return row && toRefreshToken(row);
  }

  async markUsed(id: string, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('refreshTokens')
      .set({ usedAt: at })
      .where('id', '=', id)
      .where('usedAt', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async revokeFamily(familyId: string, at: Date, reason: string): Promise<number> {
    const result = await this.db
      .updateTable('refreshTokens')
      .set({ revokedAt: at, revokeReason: reason })
      .where('familyId', '=', familyId)
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async isFamilyRevoked(familyId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('refreshTokens')
      .select('id')
      .where('familyId', '=', familyId)
      .where('revokedAt', 'is not', null)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async revokedFamiliesSince(since: Date): Promise<string[]> {
    const rows = await this.db
      .selectFrom('refreshTokens')
      .select('familyId')
      .distinct()
      .where('revokedAt', '>=', since)
      .execute();
    return rows.map((r) => r.familyId);
  }

  async deleteExpired(before: Date): Promise<number> {
    const result = await this.db.deleteFrom('refreshTokens').where('expiresAt', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toRefreshToken(row: Selectable<RefreshTokenTable>): RefreshToken {
  if (!isRole(row.role)) throw new Error(`refresh_tokens row ${row.id} has an unknown role`);
  return {
    id: row.id,
    familyId: row.familyId,
    userId: row.userId,
    email: row.email,
    role: row.role,
    companyId: row.companyId,
    branchId: row.branchId,
    expiresAt: row.expiresAt,
    usedAt: row.usedAt,
    revokedAt: row.revokedAt,
    createdAt: row.createdAt,
  };
}
