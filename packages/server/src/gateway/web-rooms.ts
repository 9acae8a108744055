import type { UserPrincipal } from '../core/principal.js';
import { rooms } from './rooms.js';

/**
 * The rooms a web client joins, from its token's role and scope (its socket leaves them when it
 * disconnects): a super admin sees everything; a company owner its company, with its admins; a
 * branch manager its branch, with its admins; a cashier its branch. A token with none of the
 * scope its role needs joins nothing.
 */
export function webRoomsOf(user: UserPrincipal): string[] {
  if (user.role === 'super_admin') return [rooms.superAdmin];
  if (user.role === 'company_owner' && user.companyId) {
    return [rooms.company(user.companyId), rooms.companyAdmins(user.companyId)];
  }
  if (!user.branchId) return [];
  if (user.role === 'branch_manager') return [rooms.branch(user.branchId), rooms.branchAdmins(user.branchId)];
  return [rooms.branch(user.branchId)];
}
