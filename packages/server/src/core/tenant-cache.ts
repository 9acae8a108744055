import type { Clock } from './clock.js';
import { GatewayError } from './gateway-error.js';
import { DEFAULT_MEMORY_BOUNDS } from './memory-bounds.js';
import type { Branch, Company, TenantStore } from './ports/tenant-store.js';

/** How long a branch and its company are reused without a change notice, ms. */
const TENANT_CACHE_MS = 30_000;

export interface TenantOf {
  branch: Branch | undefined;
  company: Company | undefined;
}

export interface TenantCacheDeps {
  tenants: TenantStore;
  clock: Clock;
  /** Branches kept in memory at most; past it the memory starts over (PRINTERMASTER_TENANT_CACHE_MAX). */
  maxEntries?: number;
}

/**
 * Branches with their companies, as handshakes and job submissions read them (thousands a
 * second in a reconnect storm): kept in memory for at most 30 s, and dropped at once when this
 * process changes a branch's or company's status, or hears that another did (the licence
 * channel's `branch:<id>` and `company:<id>` notices, migration 008).
 */
export class TenantCache {
  private readonly entries = new Map<string, TenantOf & { at: number }>();
  private readonly loads = new Map<string, Promise<TenantOf>>();
  /** Counts drops: a read that began before one may hold what changed, and is not kept. */
  private drops = 0;
  /** Reads answered from memory and from the store, since start (metrics: cache_lookups_total). */
  readonly lookups = { hits: 0, misses: 0 };

  constructor(private readonly deps: TenantCacheDeps) {}

  /** The branch and its company (either `undefined` when gone), from memory when fresh. */
  get(branchId: string): Promise<TenantOf> {
    const cached = this.entries.get(branchId);
    if (cached && this.deps.clock.now() - cached.at < TENANT_CACHE_MS) {
      this.lookups.hits += 1;
      return Promise.resolve(cached);
    }
    // A read that joins one under way waits for the store too.
    this.lookups.misses += 1;
    // Reads of one branch arriving together share one.
    const pending = this.loads.get(branchId);
    if (pending) return pending;
    const loading: Promise<TenantOf> = this.load(branchId).finally(() => {
      if (this.loads.get(branchId) === loading) this.loads.delete(branchId);
    });
    this.loads.set(branchId, loading);
    return loading;
  }

  /**
   * Throws `BRANCH_INACTIVE` when the branch or its company is deactivated (`suspended`), and
   * `BRANCH_NOT_FOUND` when the branch is gone.
   */
  async requireActive(branchId: string): Promise<{ branch: Branch; company: Company }> {
    const { branch, company } = await this.get(branchId);
    if (!branch || !company) throw new GatewayError('BRANCH_NOT_FOUND');
    if (branch.status !== 'active') {
      throw new GatewayError('BRANCH_INACTIVE', { details: { branchId: branch.id } });
    }
    if (company.status !== 'active') {
      throw new GatewayError('BRANCH_INACTIVE', {
        message: 'the company of this branch is deactivated',
        details: { branchId: branch.id, companyId: company.id },
      });
    }
    return { branch, company };
  }

  /** Drops a branch (its status or name changed). */
  forgetBranch(branchId: string): void {
    this.drops += 1;
    this.entries.delete(branchId);
    // A read already under way may have read the old row: later callers start their own.
    this.loads.delete(branchId);
  }

  /** Drops every branch of a company (the company's status changed). */
  forgetCompany(companyId: string): void {
    this.drops += 1;
    for (const [id, entry] of this.entries) if (entry.company?.id === companyId) this.entries.delete(id);
    this.loads.clear();
  }

  /** Drops everything (change notices may have been missed). */
  clear(): void {
    this.drops += 1;
    this.entries.clear();
    this.loads.clear();
  }

  private async load(branchId: string): Promise<TenantOf> {
    const before = this.drops;
    const branch = await this.deps.tenants.findBranch(branchId);
    const company = branch && (await this.deps.tenants.findCompany(branch.companyId));
    if (branch && company && this.drops === before) {
      if (this.entries.size >= (this.deps.maxEntries ?? DEFAULT_MEMORY_BOUNDS.tenantCache)) this.entries.clear();
      this.entries.set(branchId, { branch, company, at: this.deps.clock.now() });
    }
    return { branch, company };
  }
}
