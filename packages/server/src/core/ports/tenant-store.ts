import type { ServiceHours } from '@printermaster/protocol';

/** A company or branch in service (`active`) or deactivated (`suspended`: its agents and jobs are refused). */
export const TENANT_STATUSES = ['active', 'suspended'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

export interface Company {
  id: string;
  name: string;
  status: TenantStatus;
  createdAt: Date;
}

export interface Branch {
  id: string;
  companyId: string;
  name: string;
  /** A `suspended` branch refuses its agents and jobs, whatever its company's status. */
  status: TenantStatus;
  /** When it serves guests; `null`: none set (always in service, as far as alerts go). */
  serviceHours: ServiceHours | null;
  createdAt: Date;
}

/** What an update may change of a branch; `undefined` leaves a field as it is. */
export interface BranchFields {
  name?: string;
  serviceHours?: ServiceHours | null;
}

/** Companies and branches. */
export interface TenantStore {
  /** Throws `CONFLICT` when a company of that id exists. */
  createCompany(company: { id: string; name: string }): Promise<Company>;
  findCompany(id: string): Promise<Company | undefined>;
  listCompanies(): Promise<Company[]>;
  /** Renames a company; `undefined` when there is none of that id. */
  updateCompany(id: string, fields: { name?: string }): Promise<Company | undefined>;
  /** Sets a company's status; `undefined` when there is none of that id. */
  setCompanyStatus(id: string, status: TenantStatus): Promise<Company | undefined>;
  /** Throws `CONFLICT` when the company already has a branch of that name, or a branch of that id exists. */
  createBranch(branch: { id: string; companyId: string; name: string }): Promise<Branch>;
  findBranch(id: string): Promise<Branch | undefined>;
  listBranches(companyId?: string): Promise<Branch[]>;
  /**
   * Renames a branch (`CONFLICT` when the name is taken in its company) and sets its service hours
   * (`null` clears them); `undefined` when there is none.
   */
  updateBranch(id: string, fields: BranchFields): Promise<Branch | undefined>;
  /**
   * Sets a branch's status; `undefined` when there is none of that id. On PostgreSQL the change
   * is announced to every gateway on the licence channel (migration 008), like a licence change.
   */
  setBranchStatus(id: string, status: TenantStatus): Promise<Branch | undefined>;
  countCompanies(): Promise<number>;
  /** The branches that have service hours, across all companies (the metrics' in-service gauge). */
  listServiceHours(): Promise<{ branchId: string; serviceHours: ServiceHours }[]>;
}
