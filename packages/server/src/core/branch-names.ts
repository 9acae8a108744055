import type { Clock } from './clock.js';
import type { TenantStore } from './ports/tenant-store.js';

/** How long a branch's names are reused, ms: names change rarely, tests come often. */
const KEEP_MS = 60_000;

export interface BranchAndCompanyNames {
  branchName: string;
  companyName: string;
}

/** Branch and company names for printer test requests, read once a minute per branch. */
export class BranchNames {
  private readonly names = new Map<string, BranchAndCompanyNames & { at: number }>();

  constructor(
    private readonly deps: {
      tenants: Pick<TenantStore, 'findBranch' | 'findCompany'>;
      clock: Clock;
      /** Most branches remembered; past it the memory starts over (PRINTERMASTER_BRANCH_NAME_CACHE_MAX). */
      maxEntries: number;
    },
  ) {}

  /** The names if read within the last minute; no `await` on the hot path. */
  peek(branchId: string): BranchAndCompanyNames | undefined {
    const cached = this.names.get(branchId);
    return cached && this.deps.clock.now() - cached.at < KEEP_MS ? cached : undefined;
  }

  /** Reads the names (empty when the branch or company is gone) and keeps them. */
  async read(branchId: string, companyId: string): Promise<BranchAndCompanyNames> {
    const [branch, company] = await Promise.all([
      this.deps.tenants.findBranch(branchId),
      this.deps.tenants.findCompany(companyId),
    ]);
    const entry = { branchName: branch?.name ?? '', companyName: company?.name ?? '', at: this.deps.clock.now() };
    if (this.names.size >= this.deps.maxEntries) this.names.clear();
    this.names.set(branchId, entry);
    return entry;
  }
}
