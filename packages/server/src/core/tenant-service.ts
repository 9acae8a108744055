import { randomUUID } from 'node:crypto';
import { GatewayError } from './gateway-error.js';
import type { AuditLog } from './ports/audit-log.js';
import type { Branch, Company, TenantStore } from './ports/tenant-store.js';

export interface TenantServiceDeps {
  tenants: TenantStore;
  audit: AuditLog;
}

/** Companies and their branches. */
export class TenantService {
  private readonly tenants: TenantStore;
  private readonly audit: AuditLog;
  constructor(deps: TenantServiceDeps) {
    this.tenants = deps.tenants;
    this.audit = deps.audit;
  }

  async createCompany(name: string, actor: string, id: string = randomUUID()): Promise<Company> {
    const company = await this.tenants.createCompany({ id, name });
    await this.audit.record({
      companyId: company.id,
      actor,
      action: 'company.created',
      targetType: 'company',
      targetId: id,
    });
    return company;
  }

  async createBranch(companyId: string, name: string, actor: string, id: string = randomUUID()): Promise<Branch> {
    if (!(await this.tenants.findCompany(companyId))) throw new GatewayError('COMPANY_NOT_FOUND');
    const branch = await this.tenants.createBranch({ id, companyId, name });
    await this.audit.record({ companyId, actor, action: 'branch.created', targetType: 'branch', targetId: id });
    return branch;
  }

  async getBranch(id: string): Promise<Branch> {
    const branch = await this.tenants.findBranch(id);
    if (!branch) throw new GatewayError('BRANCH_NOT_FOUND');
    return branch;
  }

  async getCompany(id: string): Promise<Company> {
    const company = await this.tenants.findCompany(id);
    if (!company) throw new GatewayError('COMPANY_NOT_FOUND');
    return company;
  }

  listCompanies(): Promise<Company[]> {
    return this.tenants.listCompanies();
  }

  listBranches(companyId?: string): Promise<Branch[]> {
    return this.tenants.listBranches(companyId);
  }
}
