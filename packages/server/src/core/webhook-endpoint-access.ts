import type { Role } from '@printermaster/protocol';
import { GatewayError } from './gateway-error.js';
import type { TenantStore } from './ports/tenant-store.js';
import type { WebhookEndpoint } from './ports/webhook-store.js';
import { canSee, type UserPrincipal } from './principal.js';

/** Roles that may create and change webhook endpoints: the company's owner, and the platform's admins. */
export const WEBHOOK_WRITE_ROLES: readonly Role[] = ['super_admin', 'company_owner'];
/** Branch managers may read the endpoints of their own branch and their delivery logs, nothing more. */
export const WEBHOOK_READ_ROLES: readonly Role[] = ['super_admin', 'company_owner', 'branch_manager'];

/** Whether `user` may read `endpoint`: a branch manager only those of their own branch. */
export function mayReadWebhookEndpoint(user: UserPrincipal, endpoint: WebhookEndpoint): boolean {
  if (user.role === 'branch_manager') {
    return endpoint.companyId === user.companyId && endpoint.branchId !== null && endpoint.branchId === user.branchId;
  }
  return canSee(user, endpoint.companyId);
}

/**
 * The company and branch a new endpoint belongs to, within `user`'s scope: the branch's company
 * when a branch is named, else `companyId` (required of a super admin), else the user's own.
 */
export async function placeOfNewWebhookEndpoint(
  tenants: Pick<TenantStore, 'findCompany' | 'findBranch'>,
  user: UserPrincipal,
  request: { companyId?: string; branchId?: string },
): Promise<{ companyId: string; branchId: string | null }> {
  let companyId = request.companyId ?? user.companyId;
  if (request.branchId !== undefined) {
    const branch = await tenants.findBranch(request.branchId);
    if (!branch || (companyId !== undefined && branch.companyId !== companyId) || !canSee(user, branch.companyId)) {
      throw new GatewayError('BRANCH_NOT_FOUND');
    }
    companyId = branch.companyId;
  }
  if (companyId === undefined) {
    throw new GatewayError('BAD_REQUEST', { message: 'companyId is required', details: { path: '/companyId' } });
  }
  if (!canSee(user, companyId)) throw new GatewayError('FORBIDDEN', { message: 'that company is outside your scope' });
  if (!(await tenants.findCompany(companyId))) throw new GatewayError('COMPANY_NOT_FOUND');
  return { companyId, branchId: request.branchId ?? null };
}
