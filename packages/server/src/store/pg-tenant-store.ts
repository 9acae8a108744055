import type { Kysely, Selectable } from 'kysely';
import { GatewayError } from '../core/gateway-error.js';
import type { Branch, Company, TenantStore } from '../core/ports/tenant-store.js';
import type { BranchTable, CompanyTable, DatabaseSchema } from './database-schema.js';
import { isPgError, UNIQUE_VIOLATION } from './pg-errors.js';

export class PgTenantStore implements TenantStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async createCompany(company: { id: string; name: string }): Promise<Company> {
    const row = await this.db.insertInto('companies').values(company).returningAll().executeTakeFirstOrThrow();
    return toCompany(row);
  }

  async findCompany(id: string): Promise<Company | undefined> {
    const row = await this.db.selectFrom('companies').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toCompany(row);
  }

  async listCompanies(): Promise<Company[]> {
    const rows = await this.db.selectFrom('companies').selectAll().orderBy('createdAt').execute();
    return rows.map(toCompany);
  }

  async countCompanies(): Promise<number> {
    const row = await this.db
      .selectFrom('companies')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async createBranch(branch: { id: string; companyId: string; name: string }): Promise<Branch> {
    try {
      const row = await this.db.insertInto('branches').values(branch).returningAll().executeTakeFirstOrThrow();
      return toBranch(row);
    } catch (err) {
      if (isPgError(err, UNIQUE_VIOLATION)) {
        throw new GatewayError('CONFLICT', { message: `a branch named "${branch.name}" already exists`, cause: err });
      }
      throw err;
    }
  }

  async findBranch(id: string): Promise<Branch | undefined> {
    const row = await this.db.selectFrom('branches').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toBranch(row);
  }

  async listBranches(companyId?: string): Promise<Branch[]> {
    let q = this.db.selectFrom('branches').selectAll();
    if (companyId) q = q.where('companyId', '=', companyId);
    const rows = await q.orderBy('createdAt').execute();
    return rows.map(toBranch);
  }
}

function toCompany(row: Selectable<CompanyTable>): Company {
  return { id: row.id, name: row.name, status: row.status, createdAt: row.createdAt };
}

function toBranch(row: Selectable<BranchTable>): Branch {
  return { id: row.id, companyId: row.companyId, name: row.name, createdAt: row.createdAt };
}
