import { type Kysely, type Selectable, sql } from 'kysely';
import type { PaperCheck, PaperCheckStore } from '../core/ports/paper-check-store.js';
import type { DatabaseSchema, PaperCheckTable } from './database-schema.js';

export class PgPaperCheckStore implements PaperCheckStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async insert(check: Omit<PaperCheck, 'createdAt' | 'confirmedAt' | 'confirmedBy'> & { tokenHash: string }) {
    await this.db.insertInto('paperChecks').values(check).execute();
  }

  async find(tokenHash: string): Promise<PaperCheck | undefined> {
    const row = await this.db
      .selectFrom('paperChecks')
      .selectAll()
      .where('tokenHash', '=', tokenHash)
      .executeTakeFirst();
    return row && toCheck(row);
  }

  async confirm(tokenHash: string, by: string): Promise<PaperCheck | undefined> {
    const row = await this.db
      .updateTable('paperChecks')
      .set({ confirmedAt: sql`now()`, confirmedBy: by })
      .where('tokenHash', '=', tokenHash)
      .where('confirmedAt', 'is', null)
      .returningAll()
      .executeTakeFirst();
    return row && toCheck(row);
  }

  async latest(printerId: string): Promise<PaperCheck | undefined> {
    const row = await this.db
      .selectFrom('paperChecks')
      .selectAll()
      .where('printerId', '=', printerId)
      .orderBy('createdAt', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toCheck(row);
  }
}

function toCheck(row: Selectable<PaperCheckTable>): PaperCheck {
  return {
    companyId: row.companyId,
    branchId: row.branchId,
    printerId: row.printerId,
    jobId: row.jobId,
    createdAt: row.createdAt,
    confirmedAt: row.confirmedAt,
    confirmedBy: row.confirmedBy,
  };
}
