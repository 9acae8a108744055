export interface Company {
  id: string;
  name: string;
  status: string;
  createdAt: Date;
}

export interface Branch {
  id: string;
  companyId: string;
  name: string;
  createdAt: Date;
}

/** Companies and branches. */
export interface TenantStore {
  createCompany(company: { id: string; name: string }): Promise<Company>;
  findCompany(id: string): Promise<Company | undefined>;
  listCompanies(): Promise<Company[]>;
  /** Throws `CONFLICT` when the company already has a branch of that name. */
  createBranch(branch: { id: string; companyId: string; name: string }): Promise<Branch>;
  findBranch(id: string): Promise<Branch | undefined>;
  listBranches(companyId?: string): Promise<Branch[]>;
  countCompanies(): Promise<number>;
}
