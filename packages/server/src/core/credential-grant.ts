import type { Role } from '@printermaster/protocol';
import { GatewayError } from './gateway-error.js';
import type { TenantStore } from './ports/tenant-store.js';
import { canSee, type UserPrincipal } from './principal.js';

/** What a new credential (an API key, a web user's session) is for: a role and where it applies. */
export interface CredentialGrant {
  role: Role;
  /** Absent only for `super_admin`. */
  companyId?: string;
  /** Required for `branch_manager` and `cashier`, refused for the others. */
  branchId?: string;
}

const RANK: Record<Role, number> = { super_admin: 3, company_owner: 2, branch_manager: 1, cashier: 0 };

/** Roles that may hand out credentials; cashiers may not. */
export const GRANTING_ROLES: readonly Role[] = ['super_admin', 'company_owner', 'branch_manager'];

/**
 * Checks that `caller` may hand out `grant`: a granting role, a role no higher than its own, a
 * scope of the shape the role needs and within the caller's own, and a company and branch that
 * exist. Throws `FORBIDDEN`, `BAD_REQUEST`, `COMPANY_NOT_FOUND` or `BRANCH_NOT_FOUND`.
 */
export async function assertGrantable(
  caller: UserPrincipal,
  grant: CredentialGrant,
  tenants: Pick<TenantStore, 'findCompany' | 'findBranch'>,
): Promise<void> {
  if (!GRANTING_ROLES.includes(caller.role)) {
    throw new GatewayError('FORBIDDEN', { message: `a ${caller.role} may not hand out credentials` });
  }
  if (RANK[grant.role] > RANK[caller.role]) {
    throw new GatewayError('FORBIDDEN', { message: `a ${caller.role} may not hand out the role ${grant.role}` });
  }
  assertGrantShape(grant);
  if (grant.companyId === undefined) return; // a platform credential: super_admin by the checks above
  if (!canSee(caller, grant.companyId, grant.branchId)) {
    throw new GatewayError('FORBIDDEN', { message: 'that company or branch is outside your scope' });
  }
  const company = await tenants.findCompany(grant.companyId);
  if (!company) throw new GatewayError('COMPANY_NOT_FOUND');
  if (grant.branchId !== undefined) {
    const branch = await tenants.findBranch(grant.branchId);
    if (!branch || branch.companyId !== grant.companyId) throw new GatewayError('BRANCH_NOT_FOUND');
  }
}

/** `BAD_REQUEST` unless the grant's scope has the shape its role needs. */
export function assertGrantShape(grant: CredentialGrant): void {
  if (grant.role === 'super_admin') {
    if (grant.companyId !== undefined || grant.branchId !== undefined) {
      throw new GatewayError('BAD_REQUEST', { message: 'a super_admin credential belongs to no company or branch' });
    }
    return;
  }
  if (grant.companyId === undefined) {
    throw new GatewayError('BAD_REQUEST', { message: `role ${grant.role} needs a companyId` });
  }
  const needsBranch = grant.role === 'branch_manager' || grant.role === 'cashier';
  if (needsBranch && grant.branchId === undefined) {
    throw new GatewayError('BAD_REQUEST', { message: `role ${grant.role} needs a branchId` });
  }
  if (!needsBranch && grant.branchId !== undefined) {
    throw new GatewayError('BAD_REQUEST', { message: `role ${grant.role} applies to a whole company; drop branchId` });
  }
}

/**
 * The grant's company and branch filled in where the request leaves them out: from the caller's
 * own scope (a company owner creating a key for its company need not name it), and the company
 * from the branch when only the branch is named (a platform's `super_admin` knows the branch it
 * onboards; a branch of no company is left for `assertGrantable` to refuse).
 */
export async function grantWithCallerScope<G extends CredentialGrant>(
  caller: UserPrincipal,
  grant: G,
  tenants: Pick<TenantStore, 'findBranch'>,
): Promise<G> {
  if (grant.role === 'super_admin') return grant;
  let companyId = grant.companyId ?? caller.companyId;
  if (companyId === undefined && grant.branchId !== undefined) {
    companyId = (await tenants.findBranch(grant.branchId))?.companyId;
    if (companyId === undefined) throw new GatewayError('BRANCH_NOT_FOUND');
  }
  const needsBranch = grant.role === 'branch_manager' || grant.role === 'cashier';
  const branchId = grant.branchId ?? (needsBranch ? caller.branchId : undefined);
  return {
    ...grant,
    ...(companyId === undefined ? {} : { companyId }),
    ...(branchId === undefined ? {} : { branchId }),
  };
}
