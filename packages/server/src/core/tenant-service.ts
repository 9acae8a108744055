import { randomUUID } from 'node:crypto';
import { isKnownTimeZone, type Role } from '@printermaster/protocol';
import {
  ADMIN_ROLES,
  type AdminActor,
  actorCanSee,
  actorName,
  actorOrigin,
  operator,
  requireActorRole,
} from './admin-actor.js';
import { GatewayError } from './gateway-error.js';
import type { AuditLog } from './ports/audit-log.js';
import type { Branch, BranchFields, Company, TenantStatus, TenantStore } from './ports/tenant-store.js';
import { listScope } from './principal.js';

export interface TenantServiceDeps {
  tenants: TenantStore;
  audit: AuditLog;
}

/** A company's or branch's status changed: what was deactivated or activated. */
export interface TenantStatusChange {
  companyId: string;
  /** Absent when the whole company changed. */
  branchId?: string;
  status: TenantStatus;
}

const PLATFORM: readonly Role[] = ['super_admin'];
const OWNERS: readonly Role[] = ['super_admin', 'company_owner'];

/**
 * Companies and their branches (docs/admin-api.md). Every method takes who acts: a web user is
 * confined to their scope (a company or branch they cannot see is `*_NOT_FOUND`, a role that
 * may not act is `FORBIDDEN`); an operator (the CLI) may do anything. An actor given as a
 * string is an operator of that name. Every change is in the audit log.
 *
 * Roles: `super_admin` creates, deactivates and activates companies and acts on every company;
 * a `company_owner` reads and renames its company and creates, renames, deactivates and
 * activates its branches; a `branch_manager` reads its company and its branch; cashiers none.
 */
export class TenantService {
  private readonly tenants: TenantStore;
  private readonly audit: AuditLog;
  private readonly statusListeners: ((change: TenantStatusChange) => void | Promise<void>)[] = [];

  constructor(deps: TenantServiceDeps) {
    this.tenants = deps.tenants;
    this.audit = deps.audit;
  }

  /**
   * Calls `listener` after a company or branch was deactivated or activated through this
   * service, and waits for it before answering (it drops what this process holds in memory).
   */
  onStatusChange(listener: (change: TenantStatusChange) => void | Promise<void>): void {
    this.statusListeners.push(listener);
  }

  async createCompany(name: string, by: AdminActor | string, id: string = randomUUID()): Promise<Company> {
    const actor = asActor(by);
    requireActorRole(actor, PLATFORM);
    const company = await this.tenants.createCompany({ id, name });
    await this.record(actor, company.id, 'company.created', 'company', id, { name });
    return company;
  }

  /** The company if `by` may see it (its own company, or any for a `super_admin`); `COMPANY_NOT_FOUND` otherwise. */
  async getCompany(id: string, by: AdminActor | string = operator('internal')): Promise<Company> {
    const actor = asActor(by);
    requireActorRole(actor, ADMIN_ROLES);
    const company = await this.tenants.findCompany(id);
    if (!company || !this.seesCompany(actor, company.id)) throw new GatewayError('COMPANY_NOT_FOUND');
    return company;
  }

  /** Every company for a `super_admin` or an operator; a user's own company otherwise. */
  async listCompanies(by: AdminActor | string = operator('internal')): Promise<Company[]> {
    const actor = asActor(by);
    requireActorRole(actor, ADMIN_ROLES);
    const companies = await this.tenants.listCompanies();
    return companies.filter((c) => this.seesCompany(actor, c.id));
  }

  async updateCompany(id: string, fields: { name?: string }, by: AdminActor | string): Promise<Company> {
    const actor = asActor(by);
    await this.getCompany(id, actor);
    requireActorRole(actor, OWNERS);
    const company = await this.tenants.updateCompany(id, fields);
    if (!company) throw new GatewayError('COMPANY_NOT_FOUND');
    await this.record(actor, id, 'company.updated', 'company', id, fields);
    return company;
  }

  /**
   * Deactivates (`suspended`) or activates a company: `super_admin` only. A deactivated
   * company's agents are disconnected and refused, and its jobs refused, in every branch.
   */
  async setCompanyStatus(id: string, status: TenantStatus, by: AdminActor | string): Promise<Company> {
    const actor = asActor(by);
    const before = await this.getCompany(id, actor);
    requireActorRole(actor, PLATFORM);
    const company = await this.tenants.setCompanyStatus(id, status);
    if (!company) throw new GatewayError('COMPANY_NOT_FOUND');
    if (before.status !== status) {
      await this.changed({ companyId: id, status });
      await this.record(actor, id, statusAction('company', status), 'company', id);
    }
    return company;
  }

  async createBranch(
    companyId: string,
    name: string,
    by: AdminActor | string,
    id: string = randomUUID(),
  ): Promise<Branch> {
    const actor = asActor(by);
    requireActorRole(actor, OWNERS);
    const company = await this.tenants.findCompany(companyId);
    if (!company || !this.seesCompany(actor, companyId)) throw new GatewayError('COMPANY_NOT_FOUND');
    const branch = await this.tenants.createBranch({ id, companyId, name });
    await this.record(actor, companyId, 'branch.created', 'branch', id, { name });
    return branch;
  }

  /** The branch if `by` may see it; `BRANCH_NOT_FOUND` otherwise (no hint that it exists elsewhere). */
  async getBranch(id: string, by: AdminActor | string = operator('internal')): Promise<Branch> {
    const actor = asActor(by);
    requireActorRole(actor, ADMIN_ROLES);
    const branch = await this.tenants.findBranch(id);
    if (!branch || !actorCanSee(actor, branch.companyId, branch.id)) throw new GatewayError('BRANCH_NOT_FOUND');
    return branch;
  }

  /**
   * Branches `by` may see, of `companyId` when given. A `companyId` outside a user's scope is
   * `FORBIDDEN` (as in every listing of the API).
   */
  async listBranches(companyId?: string, by: AdminActor | string = operator('internal')): Promise<Branch[]> {
    const actor = asActor(by);
    requireActorRole(actor, ADMIN_ROLES);
    if (actor.kind === 'operator') return this.tenants.listBranches(companyId);
    const scope = listScope(actor, { companyId });
    const branches = await this.tenants.listBranches(scope.companyId);
    return scope.branchId === undefined ? branches : branches.filter((b) => b.id === scope.branchId);
  }

  async updateBranch(id: string, fields: BranchFields, by: AdminActor | string): Promise<Branch> {
    const actor = asActor(by);
    const existing = await this.getBranch(id, actor);
    requireActorRole(actor, OWNERS);
    const zone = fields.serviceHours?.timeZone;
    if (zone !== undefined && !isKnownTimeZone(zone)) {
      throw new GatewayError('BAD_REQUEST', {
        message: `"${zone}" is not a time zone this gateway knows (an IANA name, e.g. Europe/Berlin)`,
        details: { path: '/serviceHours/timeZone' },
      });
    }
    const branch = await this.tenants.updateBranch(id, fields);
    if (!branch) throw new GatewayError('BRANCH_NOT_FOUND');
    await this.record(actor, existing.companyId, 'branch.updated', 'branch', id, { ...fields });
    return branch;
  }

  /**
   * Deactivates (`suspended`) or activates a branch: `super_admin`, or the `company_owner` of
   * its company. A deactivated branch's agents are disconnected and refused at the handshake
   * (`BRANCH_INACTIVE`), and its jobs are refused (`BRANCH_INACTIVE`, 403).
   */
  async setBranchStatus(id: string, status: TenantStatus, by: AdminActor | string): Promise<Branch> {
    const actor = asActor(by);
    const existing = await this.getBranch(id, actor);
    requireActorRole(actor, OWNERS);
    const branch = await this.tenants.setBranchStatus(id, status);
    if (!branch) throw new GatewayError('BRANCH_NOT_FOUND');
    if (existing.status !== status) {
      await this.changed({ companyId: branch.companyId, branchId: id, status });
      await this.record(actor, branch.companyId, statusAction('branch', status), 'branch', id);
    }
    return branch;
  }

  private seesCompany(actor: AdminActor, companyId: string): boolean {
    return actor.kind === 'operator' || actor.role === 'super_admin' || actor.companyId === companyId;
  }

  private async changed(change: TenantStatusChange): Promise<void> {
    for (const listener of this.statusListeners) await listener(change);
  }

  private record(
    actor: AdminActor,
    companyId: string,
    action: string,
    targetType: string,
    targetId: string,
    details?: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record({
      companyId,
      actor: actorName(actor),
      action,
      targetType,
      targetId,
      details,
      ...actorOrigin(actor),
    });
  }
}

function asActor(by: AdminActor | string): AdminActor {
  return typeof by === 'string' ? operator(by) : by;
}

function statusAction(kind: 'company' | 'branch', status: TenantStatus): string {
  return `${kind}.${status === 'active' ? 'activated' : 'deactivated'}`;
}
