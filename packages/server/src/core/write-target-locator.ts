import type { PrintJobStore } from './ports/print-job-store.js';
import type { TenantStore } from './ports/tenant-store.js';
import { canSee, type UserPrincipal } from './principal.js';
import type { PrinterService } from './printer-service.js';

/** What a write request names as its target, by the API's field names. */
export interface WriteTarget {
  printerId?: string;
  jobId?: string;
  branchId?: string;
}

export interface WriteTargetLocatorDeps {
  printers: Pick<PrinterService, 'findCached'>;
  jobs: Pick<PrintJobStore, 'find'>;
  tenants: Pick<TenantStore, 'findBranch'>;
}

/**
 * Finds the branch a web user's write is for, so that the write counts against that
 * branch's limit (http/write-rate-limit.ts) before the handler runs. A target the user
 * cannot see counts against no branch: a caller must not use up another tenant's
 * budget with requests that are refused anyway. Lookups that fail count against no
 * branch either; the handler then answers the request as it would have.
 */
export class WriteTargetLocator {
  private readonly printers: Pick<PrinterService, 'findCached'>;
  private readonly jobs: Pick<PrintJobStore, 'find'>;
  private readonly tenants: Pick<TenantStore, 'findBranch'>;
  constructor(deps: WriteTargetLocatorDeps) {
    this.printers = deps.printers;
    this.jobs = deps.jobs;
    this.tenants = deps.tenants;
  }

  /** The branch of the target, if the user may see it. */
  async branchOf(user: UserPrincipal, target: WriteTarget): Promise<string | undefined> {
    // A branch-scoped token writes for its own branch (a target elsewhere is refused by the handler).
    if ((user.role === 'branch_manager' || user.role === 'cashier') && user.branchId) return user.branchId;
    const tenancy = await this.tenancyOf(target).catch(() => undefined);
    return tenancy && canSee(user, tenancy.companyId, tenancy.branchId) ? tenancy.branchId : undefined;
  }

  private async tenancyOf(target: WriteTarget): Promise<{ companyId: string; branchId: string } | undefined> {
    if (target.printerId !== undefined) return this.printers.findCached(target.printerId);
    if (target.jobId !== undefined) return this.jobs.find(target.jobId);
    if (target.branchId !== undefined) {
      const branch = await this.tenants.findBranch(target.branchId);
      return branch && { companyId: branch.companyId, branchId: branch.id };
    }
    return undefined;
  }
}
