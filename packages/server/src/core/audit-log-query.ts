import { GatewayError } from './gateway-error.js';
import type { AuditEntry, AuditLogFilter } from './ports/audit-log.js';
import type { UserPrincipal } from './principal.js';
import { parseQueryInstant } from './query-instant.js';

/** `GET /api/audit-log` as the API receives it (shape and lengths already checked by its schema). */
export interface AuditLogQuery {
  /** Only a `super_admin` may name a company; for an owner it must be its own. */
  companyId?: string;
  action?: string;
  actor?: string;
  targetType?: string;
  targetId?: string;
  /** Instants: entries recorded at or after `from`, before `to`. */
  from?: string;
  to?: string;
  /** Opaque, from a previous page's `nextCursor`. */
  cursor?: string;
  /** Page size, 1–1000; 100 when absent. */
  limit?: number;
}

const DEFAULT_PAGE_SIZE = 100;

/**
 * The store filter for a user's audit log query, within what the user may see: everything for a
 * `super_admin`, its company's entries for a `company_owner`. Entries name no branch (an action on a
 * company, a licence or a key is not any one branch's), so a branch's roles would see either
 * other branches' actions or an arbitrary subset: they are refused. It asks for one entry more
 * than the page holds, so the page knows whether another follows (auditLogPage).
 * @throws GatewayError `FORBIDDEN` for a branch role or another company; `BAD_REQUEST` (with the
 * field path) for a bad date or cursor.
 */
export function auditLogFilter(user: UserPrincipal, query: AuditLogQuery): AuditLogFilter {
  const companyId = auditScope(user, query.companyId);
  const from = parseQueryInstant(query.from, 'from');
  const to = parseQueryInstant(query.to, 'to');
  return {
    ...(companyId !== undefined ? { companyId } : {}),
    ...(query.action !== undefined ? { action: query.action } : {}),
    ...(query.actor !== undefined ? { actor: query.actor } : {}),
    ...(query.targetType !== undefined ? { targetType: query.targetType } : {}),
    ...(query.targetId !== undefined ? { targetId: query.targetId } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(query.cursor !== undefined ? { beforeId: decodeAuditCursor(query.cursor) } : {}),
    limit: (query.limit ?? DEFAULT_PAGE_SIZE) + 1,
  };
}

/** The page from what the store returned for auditLogFilter, with the cursor of the next one if any. */
export function auditLogPage(
  filter: AuditLogFilter,
  entries: AuditEntry[],
): { entries: AuditEntry[]; nextCursor?: string } {
  const limit = filter.limit - 1;
  const page = entries.slice(0, limit);
  const last = page[page.length - 1];
  return entries.length > limit && last ? { entries: page, nextCursor: encodeAuditCursor(last.id) } : { entries: page };
}

export function encodeAuditCursor(id: string): string {
  return Buffer.from(`a|${id}`).toString('base64url');
}

function decodeAuditCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^a\|([1-9]\d{0,18})$/.exec(text);
  if (!match) {
    throw new GatewayError('BAD_REQUEST', { message: 'cursor is not valid', details: { path: 'querystring/cursor' } });
  }
  return match[1] as string;
}

function auditScope(user: UserPrincipal, companyId: string | undefined): string | undefined {
  if (user.role === 'super_admin') return companyId;
  if (user.role !== 'company_owner' || user.companyId === undefined) {
    throw new GatewayError('FORBIDDEN', { message: 'the audit log is for super admins and company owners' });
  }
  if (companyId !== undefined && companyId !== user.companyId) {
    throw new GatewayError('FORBIDDEN', { message: 'that company is outside your scope' });
  }
  return user.companyId;
}
