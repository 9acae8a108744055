/**
 * Web user roles, widest first. `super_admin` sees every company; `company_owner`
 * one company; `branch_manager` and `cashier` one branch. Cashiers may print and
 * run printer tests but not administer printers, licences or tenants.
 */
export const ROLES = ['super_admin', 'company_owner', 'branch_manager', 'cashier'] as const;
export type Role = (typeof ROLES)[number];

/** The role agents claim in the handshake (`auth.userRole`). */
export const AGENT_ROLE = 'desktop_app';

/** Roles that receive `desktop:health:alert` and may read desktop health. */
export const ADMIN_ROLES: readonly Role[] = ['super_admin', 'company_owner', 'branch_manager'];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
