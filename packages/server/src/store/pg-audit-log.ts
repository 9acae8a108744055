import type { Kysely } from 'kysely';
import type { AuditEntry, AuditLog, AuditLogFilter } from '../core/ports/audit-log.js';
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
          sourceAddress: entry.sourceAddress ?? null,
        })
        .execute();
    } catch (err) {
      // The audited action already happened; losing its audit row must not undo or fail it.
      this.onError(err);
    }
  }

  async list(f: AuditLogFilter): Promise<AuditEntry[]> {
    let q = this.db
      .selectFrom('auditLog')
      .select([
        'id',
        'companyId',
        'actor',
        'action',
        'targetType',
        'targetId',
        'details',
        'sourceAddress',
        'createdAt',
      ]);
    if (f.companyId !== undefined) q = q.where('companyId', '=', f.companyId);
    if (f.action !== undefined) q = q.where('action', '=', f.action);
    if (f.actor !== undefined) q = q.where('actor', '=', f.actor);
    if (f.targetType !== undefined) q = q.where('targetType', '=', f.targetType);
    if (f.targetId !== undefined) q = q.where('targetId', '=', f.targetId);
    if (f.from !== undefined) q = q.where('createdAt', '>=', f.from);
    if (f.to !== undefined) q = q.where('createdAt', '<', f.to);
    if (f.beforeId !== undefined) q = q.where('id', '<', f.beforeId);
    const rows = await q.orderBy('id', 'desc').limit(f.limit).execute();
    return rows.map((r) => ({
      id: String(r.id),
      companyId: r.companyId,
      actor: r.actor,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      details: (r.details as Record<string, unknown> | null) ?? null,
      sourceAddress: r.sourceAddress,
      createdAt: r.createdAt,
    }));
  }
}
