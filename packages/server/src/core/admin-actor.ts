import type { Role } from '@printermaster/protocol';
import { GatewayError } from './gateway-error.js';
import { actorOf, canSee, originOf, type UserPrincipal } from './principal.js';

/**
 * Whoever runs an administrative change that no web user asked for: the `printermaster admin`
 * CLI (it holds the database or the data directory, so it may do anything), the bootstrap, tests.
 */
export interface OperatorActor {
  kind: 'operator';
  /** Written to the audit log as the actor: `cli`, `bootstrap`, `test`. */
  name: string;
}

/** Who runs a tenant or licence change: a web user (within their scope) or an operator (anything). */
export type AdminActor = UserPrincipal | OperatorActor;

/** The CLI's actor. */
export const CLI_ACTOR: OperatorActor = Object.freeze({ kind: 'operator', name: 'cli' });

/** An operator actor named `name` (audit log). */
export function operator(name: string): OperatorActor {
  return { kind: 'operator', name };
}

/** The audit log's actor: `user:<id>` for a web user, `apikey:<id>` for an API key, the operator's name otherwise. */
export function actorName(actor: AdminActor): string {
  return actor.kind === 'operator' ? actor.name : actorOf(actor);
}

/** Where the actor's change came from: a web user's request address; none for an operator (the CLI). */
export function actorOrigin(actor: AdminActor): { sourceAddress?: string } {
  return actor.kind === 'operator' ? {} : originOf(actor);
}

/** Roles that may act on the admin API at all: everyone but cashiers. */
export const ADMIN_ROLES: readonly Role[] = ['super_admin', 'company_owner', 'branch_manager'];

/** Whether `actor` may see the tenant data of `companyId` (and `branchId`, for branch-confined roles). */
export function actorCanSee(actor: AdminActor, companyId: string, branchId?: string): boolean {
  return actor.kind === 'operator' || canSee(actor, companyId, branchId);
}

/** Throws `FORBIDDEN` unless `actor` is an operator or a user with one of `roles`. */
export function requireActorRole(actor: AdminActor, roles: readonly Role[]): void {
  if (actor.kind === 'operator' || roles.includes(actor.role)) return;
  throw new GatewayError('FORBIDDEN', { message: `this needs one of the roles: ${roles.join(', ')}` });
}
