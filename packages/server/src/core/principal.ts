import type { Role } from '@printermaster/protocol';
import { GatewayError } from './gateway-error.js';

/** A web user, from a verified JWT. Scope comes from the token's claims only. */
export interface UserPrincipal {
  kind: 'user';
  userId: string;
  email?: string;
  role: Role;
  /** Absent only for `super_admin`. */
  companyId?: string;
  /** Set for `branch_manager` and `cashier`. */
  branchId?: string;
  /** Unix ms when the credential behind it (the JWT's `exp`) expires; an open socket is closed then. */
  expiresAt?: number;
  /** Set when the caller is an API key (`userId` is then `apikey:<id>`). */
  apiKeyId?: string;
  /** The session (refresh token family) of an access token from `POST /auth/sessions`; logout ends it. */
  sessionId?: string;
  /**
   * The address the request came from (`request.ip`), for the audit log; set per request by the
   * HTTP layer (`requireUser`), absent for sockets. Not part of the credential.
   */
  sourceAddress?: string;
}

/** Where a user's change came from, for the audit log: the request's address, when there is one. */
export function originOf(user: UserPrincipal): { sourceAddress?: string } {
  return user.sourceAddress === undefined ? {} : { sourceAddress: user.sourceAddress };
}

/** Who did it, for the audit log: `apikey:<id>` for an API key, `user:<id>` for a web user. */
export function actorOf(user: UserPrincipal): string {
  return user.apiKeyId === undefined ? `user:${user.userId}` : `apikey:${user.apiKeyId}`;
}

/** An agent, from a verified licence. */
export interface AgentPrincipal {
  kind: 'agent';
  deviceId: string;
  companyId: string;
  branchId: string;
  licenseId: string;
}

export type Principal = UserPrincipal | AgentPrincipal;

/** Whether `user` may see data of `companyId`/`branchId`. */
export function canSee(user: UserPrincipal, companyId: string, branchId?: string): boolean {
  if (user.role === 'super_admin') return true;
  if (user.companyId !== companyId) return false;
  if (user.role === 'company_owner') return true;
  return branchId !== undefined && user.branchId === branchId;
}

/** Throws `FORBIDDEN` unless `user` has one of `roles`. */
export function requireRole(user: UserPrincipal, roles: readonly Role[]): void {
  if (!roles.includes(user.role)) {
    throw new GatewayError('FORBIDDEN', { message: `this needs one of the roles: ${roles.join(', ')}` });
  }
}

/**
 * The company/branch filter a listing may use: the token's scope, narrowed by
 * the query's filters. A filter outside the scope is `FORBIDDEN`, not ignored.
 */
export function listScope(
  user: UserPrincipal,
  filter: { companyId?: string; branchId?: string },
): { companyId?: string; branchId?: string } {
  if (user.role === 'super_admin') return filter;
  if (filter.companyId && filter.companyId !== user.companyId) {
    throw new GatewayError('FORBIDDEN', { message: 'that company is outside your scope' });
  }
  if (user.role === 'company_owner') return { companyId: user.companyId, branchId: filter.branchId };
  if (filter.branchId && filter.branchId !== user.branchId) {
    throw new GatewayError('FORBIDDEN', { message: 'that branch is outside your scope' });
  }
  return { companyId: user.companyId, branchId: user.branchId };
}

/** Roles that may change printers, licences and tenants. Cashiers may print and test only. */
export const MANAGER_ROLES: readonly Role[] = ['super_admin', 'company_owner', 'branch_manager'];

/** Roles that may read desktop health (operators and managers, not cashiers). */
export const ADMIN_VIEW_ROLES: readonly Role[] = ['super_admin', 'company_owner', 'branch_manager'];
