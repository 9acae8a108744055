import { INSTANT_FORMAT } from '@printermaster/protocol';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { JwtService } from '../../auth/jwt-service.js';
import { type AuditLogQuery, auditLogFilter, auditLogPage } from '../../core/audit-log-query.js';
import type { AuditEntry, AuditLog, AuditLogFilter } from '../../core/ports/audit-log.js';
import { actorOf } from '../../core/principal.js';
import type { ExportTracker } from '../../metrics/export-tracker.js';
import { requireUser } from '../authenticate.js';
import { type CsvExport, sendCsv, wantsCsv } from './csv-export.js';
import { USER_SECURITY } from './user-security.js';

const Id = Type.String({ minLength: 1, maxLength: 128 });
const Instant = Type.String({ maxLength: 64, format: INSTANT_FORMAT });
const Query = Type.Object(
  {
    companyId: Type.Optional(Id),
    /** An action name (`session.started`); `export` is the runbooks' word for the CSV download. */
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    targetType: Type.Optional(Id),
    targetId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  },
  { additionalProperties: false },
);

/** Entries read per statement of an export. */
const EXPORT_BATCH = 1000;

export function toAuditEntryView(e: AuditEntry) {
  return {
    id: e.id,
    createdAt: e.createdAt.toISOString(),
    companyId: e.companyId,
    actor: e.actor,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    sourceAddress: e.sourceAddress,
    details: e.details,
  };
}

/** The audit log (docs/api.md#audit-log): a page as JSON, or the whole filtered log as CSV. */
export async function auditLogRoutes(
  app: FastifyInstance,
  opts: { jwt: JwtService; audit: AuditLog; exports?: ExportTracker },
): Promise<void> {
  const { jwt, audit } = opts;
  const tags = ['audit log'];
  const security = USER_SECURITY;

  app.get('/api/audit-log', { schema: { tags, security, querystring: Query } }, async (request, reply) => {
    const user = await requireUser(jwt, request);
    const { format, ...rest } = request.query as Static<typeof Query>;
    const exporting = rest.action === 'export';
    const query: AuditLogQuery = exporting ? { ...rest, action: undefined } : rest;
    const filter = auditLogFilter(user, query);
    if (exporting || wantsCsv(request, format)) {
      const csv = auditCsv(audit, filter);
      const tracker = opts.exports;
      const tracking = tracker && {
        tracker,
        kind: 'audit-log' as const,
        companyId: filter.companyId ?? null,
        branchId: null,
        actor: actorOf(user),
      };
      await sendCsv(reply, tracking ? { ...csv, tracking } : csv);
      return reply;
    }
    const { entries, nextCursor } = auditLogPage(filter, await audit.list(filter));
    return {
      success: true,
      entries: entries.map(toAuditEntryView),
      count: entries.length,
      ...(nextCursor ? { nextCursor } : {}),
    };
  });
}

/** Every entry of `filter` (its cursor a starting point, its limit not a cap), newest first. */
function auditCsv(audit: AuditLog, filter: AuditLogFilter): CsvExport<AuditEntry> {
  async function* batches(): AsyncGenerator<AuditEntry[]> {
    let beforeId = filter.beforeId;
    for (;;) {
      const batch = await audit.list({ ...filter, ...(beforeId ? { beforeId } : {}), limit: EXPORT_BATCH });
      yield batch;
      const last = batch[batch.length - 1];
      if (batch.length < EXPORT_BATCH || !last) return;
      beforeId = last.id;
    }
  }
  return {
    name: 'audit-log',
    header: ['id', 'createdAt', 'companyId', 'actor', 'action', 'targetType', 'targetId', 'sourceAddress', 'details'],
    toRow: (e) => [
      e.id,
      e.createdAt,
      e.companyId,
      e.actor,
      e.action,
      e.targetType,
      e.targetId,
      e.sourceAddress,
      e.details === null ? null : JSON.stringify(e.details),
    ],
    batches: batches(),
  };
}
