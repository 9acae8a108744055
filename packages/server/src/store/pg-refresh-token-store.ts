import { isRole } from '@printermaster/protocol';
import { type Kysely, type Selectable, sql } from 'kysely';
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

  async exchange(usedId: string, at: Date, next: Parameters<RefreshTokenStore['exchange']>[2]): Promise<boolean> {
    // One statement: the next token exists only if the used one was taken from unused, and a
    // concurrent use of the same token waits for this row's lock and then finds it used.
    const { rows } = await sql<{ id: string }>`
      WITH used AS (
        UPDATE refresh_tokens SET used_at = ${at}
        WHERE id = ${usedId} AND used_at IS NULL AND revoked_at IS NULL
        RETURNING id
      )
      INSERT INTO refresh_tokens (id, family_id, token_hash, user_id, email, role, company_id, branch_id, expires_at)
      SELECT ${next.id}, ${next.familyId}, ${next.tokenHash}, ${next.userId}, ${next.email}, ${next.role},
        ${next.companyId}, ${next.branchId}, ${next.expiresAt}
      FROM used
      RETURNING id`.execute(this.db);
    return rows.length === 1;
  }

  async revokeFamily(familyId: string, at: Date, reason: string): Promise<number> {
    // An exchange that held a token of the family when the first pass began commits its new token
    // before that pass gets the row, and outside the pass's snapshot: a second pass revokes it.
    // Once a pass has revoked every row, no exchange can add one (its used token is revoked).
    let total = 0;
    for (;;) {
      const result = await this.db
        .updateTable('refreshTokens')
        .set({ revokedAt: at, revokeReason: reason })
        .where('familyId', '=', familyId)
        .where('revokedAt', 'is', null)
        .executeTakeFirst();
      const revoked = Number(result.numUpdatedRows);
      if (revoked === 0) return total;
      total += revoked;
    }
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
