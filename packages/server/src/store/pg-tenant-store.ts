import type { ServiceHours } from '@printermaster/protocol';
import { type Kysely, type Selectable, sql } from 'kysely';
import { GatewayError } from '../core/gateway-error.js';
import type { Branch, BranchFields, Company, TenantStatus, TenantStore } from '../core/ports/tenant-store.js';
import type { BranchTable, CompanyTable, DatabaseSchema } from './database-schema.js';
import { isPgError, UNIQUE_VIOLATION } from './pg-errors.js';

export class PgTenantStore implements TenantStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async createCompany(company: { id: string; name: string }): Promise<Company> {
    try {
      const row = await this.db.insertInto('companies').values(company).returningAll().executeTakeFirstOrThrow();
      return toCompany(row);
    } catch (err) {
      if (isPgError(err, UNIQUE_VIOLATION)) {
        throw new GatewayError('CONFLICT', { message: `a company with id "${company.id}" already exists`, cause: err });
      }
      throw err;
    }
  }

  async updateCompany(id: string, fields: { name?: string }): Promise<Company | undefined> {
    if (fields.name === undefined) return this.findCompany(id);
    const row = await this.db
      .updateTable('companies')
      .set({ name: fields.name, updatedAt: sql`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toCompany(row);
  }

  async setCompanyStatus(id: string, status: TenantStatus): Promise<Company | undefined> {
    const row = await this.db
      .updateTable('companies')
      .set({ status, updatedAt: sql`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toCompany(row);
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
      if (isPgError(err, UNIQUE_VIOLATION)) throw branchConflict(err, branch);
      throw err;
    }
  }

  async updateBranch(id: string, fields: BranchFields): Promise<Branch | undefined> {
    if (fields.name === undefined && fields.serviceHours === undefined) return this.findBranch(id);
    const hours = fields.serviceHours;
    try {
      const row = await this.db
        .updateTable('branches')
        .set({
          ...(fields.name === undefined ? {} : { name: fields.name }),
          ...(hours === undefined ? {} : { serviceHours: hours === null ? null : JSON.stringify(hours) }),
          updatedAt: sql`now()`,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toBranch(row);
    } catch (err) {
      if (isPgError(err, UNIQUE_VIOLATION)) throw branchConflict(err, { id, name: fields.name ?? '' });
      throw err;
    }
  }

  async setBranchStatus(id: string, status: TenantStatus): Promise<Branch | undefined> {
    const row = await this.db
      .updateTable('branches')
      .set({ status, updatedAt: sql`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toBranch(row);
  }

  async findBranch(id: string): Promise<Branch | undefined> {
    const row = await this.db.selectFrom('branches').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toBranch(row);
  }

  async listServiceHours(): Promise<{ branchId: string; serviceHours: ServiceHours }[]> {
    const rows = await this.db
      .selectFrom('branches')
      .select(['id', 'serviceHours'])
      .where('serviceHours', 'is not', null)
      .execute();
    return rows.flatMap((r) => (r.serviceHours ? [{ branchId: r.id, serviceHours: r.serviceHours }] : []));
  }

  async listBranches(companyId?: string): Promise<Branch[]> {
    let q = this.db.selectFrom('branches').selectAll();
    if (companyId) q = q.where('companyId', '=', companyId);
    const rows = await q.orderBy('createdAt').execute();
    return rows.map(toBranch);
  }
}

/** A unique violation on a branch: its name in the company, or its id. */
function branchConflict(err: unknown, branch: { id: string; name: string }): GatewayError {
  const constraint = (err as { constraint?: string }).constraint ?? '';
  const message = constraint.endsWith('_pkey')
    ? `a branch with id "${branch.id}" already exists`
    : `a branch named "${branch.name}" already exists`;
  return new GatewayError('CONFLICT', { message, cause: err });
}

function toCompany(row: Selectable<CompanyTable>): Company {
  return { id: row.id, name: row.name, status: row.status as TenantStatus, createdAt: row.createdAt };
}

function toBranch(row: Selectable<BranchTable>): Branch {
  return {
    id: row.id,
    companyId: row.companyId,
    name: row.name,
    status: row.status as TenantStatus,
    serviceHours: row.serviceHours,
    createdAt: row.createdAt,
  };
}
