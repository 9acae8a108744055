import type { Kysely } from 'kysely';
import type { AuditLog } from '../core/ports/audit-log.js';
import type { DatabaseSchema } from './database-schema.js';

export class PgAuditLog implements AuditLog {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly onError: (err: unknown) => void,
  ) {}

  async record(entry: Parameters<AuditLog['record']>[0]): Promise<void> {
    try {
      await this.db
        .insertInto('auditLog')
        .values({
          companyId: entry.companyId,
          actor: entry.actor,
          action: entry.action,
          targetType: entry.targetType ?? null,
          targetId: entry.targetId ?? null,
          details: entry.details ? JSON.stringify(entry.details) : null,
        })
        .execute();
    } catch (err) {
      // The audited action already happened; losing its audit row must not undo or fail it.
      this.onError(err);
    }
  }
}
