import { AsyncLocalStorage } from 'node:async_hooks';
import type { UserPrincipal } from './principal.js';

/**
 * Whose rows a piece of work may touch in the database (decision 0007). The store hands it to
 * PostgreSQL's row-level security as the setting `printermaster.company_id`.
 *
 * - `company`: one company's rows (a web user's request).
 * - `gateway`: every company's rows: the gateway's own work (dispatch, sweeps, agents, migrations,
 *   the admin CLI). It is what runs outside any scope.
 * - `none`: no rows at all: a web user's request before its caller is known.
 */
export type TenantScope =
  | { readonly kind: 'company'; readonly companyId: string }
  | { readonly kind: 'gateway' }
  | { readonly kind: 'none' };

export const GATEWAY_SCOPE: TenantScope = Object.freeze({ kind: 'gateway' });
export const NO_TENANT_SCOPE: TenantScope = Object.freeze({ kind: 'none' });

/** The scope a piece of work runs in; `request` cells are narrowed once their caller is authenticated. */
interface ScopeCell {
  scope: TenantScope;
  readonly request: boolean;
}

const storage = new AsyncLocalStorage<ScopeCell>();

/**
 * Scopes are tracked only once a database that enforces them is open (a role without BYPASSRLS):
 * on Node 20 an AsyncLocalStorage in use slows every promise of the process, and the embedded
 * store and superuser connections, which row-level security does not apply to, should not pay that.
 */
let tracking = false;

/** Starts tracking scopes; called by the store when its connections are subject to row-level security. */
export function trackTenantScopes(): void {
  tracking = true;
}

export function isTrackingTenantScopes(): boolean {
  return tracking;
}

/** The scope of the work running now: the gateway's own outside any scope. */
export function currentTenantScope(): TenantScope {
  return (tracking && storage.getStore()?.scope) || GATEWAY_SCOPE;
}

/** Runs `fn`, and everything it starts, in `scope`. */
export function runInTenantScope<T>(scope: TenantScope, fn: () => T): T {
  return tracking ? storage.run({ scope, request: false }, fn) : fn();
}

/** Runs `fn` as the gateway's own cross-tenant work, out of whatever scope the caller has. */
export function runAsGateway<T>(fn: () => T): T {
  return runInTenantScope(GATEWAY_SCOPE, fn);
}

/**
 * Runs an HTTP request handler in a scope of its own, so that `scopeRequestToUser` can narrow it:
 * the gateway's own until then (health, metrics, agents' endpoints), or the scope the request
 * already has (`runUserRequest` wraps web users' routes from outside).
 */
export function runRequest<T>(fn: () => T): T {
  if (!tracking || storage.getStore()?.request) return fn();
  return storage.run({ scope: GATEWAY_SCOPE, request: true }, fn);
}

/**
 * Runs a web user's request handler: it sees no company's rows until `scopeRequestToUser` names
 * its caller, so a handler that reached the database before authenticating would read nothing.
 */
export function runUserRequest<T>(fn: () => T): T {
  return tracking ? storage.run({ scope: NO_TENANT_SCOPE, request: true }, fn) : fn();
}

/**
 * Narrows the running request to the authenticated user's company (every company for a
 * `super_admin`, who may see them all; none for a token of another role that names no company).
 * Outside a request handler (a hook that authenticates to count a rate limit) it changes nothing:
 * the handler authenticates again, in its own scope.
 */
export function scopeRequestToUser(user: UserPrincipal): void {
  if (!tracking) return;
  const cell = storage.getStore();
  if (!cell?.request) return;
  if (user.role === 'super_admin') cell.scope = GATEWAY_SCOPE;
  else cell.scope = user.companyId ? { kind: 'company', companyId: user.companyId } : NO_TENANT_SCOPE;
}

/** One string per scope, for grouping work by scope. */
export function tenantScopeKey(scope: TenantScope): string {
  return scope.kind === 'company' ? `company:${scope.companyId}` : scope.kind;
}
