import { type BranchView, type CompanyView, isoTime, ServiceHoursSchema } from '@printermaster/protocol';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { JwtService } from '../../auth/jwt-service.js';
import { GatewayError } from '../../core/gateway-error.js';
import type { Branch, BranchFields, Company } from '../../core/ports/tenant-store.js';
import type { TenantService } from '../../core/tenant-service.js';
import { requireUser } from '../authenticate.js';
import { USER_SECURITY } from './user-security.js';

/** Ids a client may choose for a company or branch (a platform's own ids, used in its JWT claims). */
export const TENANT_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$';

const Id = Type.String({ minLength: 1, maxLength: 128 });
const NewId = Type.String({ pattern: TENANT_ID_PATTERN, description: 'Optional; a random UUID when absent' });
const Name = Type.String({ minLength: 1, maxLength: 128, pattern: '\\S' });

const CreateCompanyBody = Type.Object({ name: Name, id: Type.Optional(NewId) }, { additionalProperties: false });
const UpdateBody = Type.Object({ name: Type.Optional(Name) }, { additionalProperties: false, minProperties: 1 });
const UpdateBranchBody = Type.Object(
  {
    name: Type.Optional(Name),
    /** docs/operations.md#service-hours; null clears them. */
    serviceHours: Type.Optional(Type.Union([ServiceHoursSchema, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
const CompanyParams = Type.Object({ companyId: Id });
const CreateBranchBody = Type.Object(
  {
    /** The company; a `company_owner`'s own when absent. */
    companyId: Type.Optional(Id),
    name: Name,
    id: Type.Optional(NewId),
  },
  { additionalProperties: false },
);
const BranchListQuery = Type.Object({ companyId: Type.Optional(Id) }, { additionalProperties: false });
const BranchParams = Type.Object({ branchId: Id });

export function toCompanyView(company: Company): CompanyView {
  return {
    id: company.id,
    name: company.name,
    status: company.status,
    createdAt: isoTime(company.createdAt.getTime()),
  };
}

export function toBranchView(branch: Branch): BranchView {
  return {
    id: branch.id,
    companyId: branch.companyId,
    name: branch.name,
    status: branch.status,
    serviceHours: branch.serviceHours,
    createdAt: isoTime(branch.createdAt.getTime()),
  };
}

/**
 * docs/admin-api.md: companies and branches, created, read, renamed, deactivated and activated
 * by web users within their scope (TenantService says who may do what).
 */
export async function adminTenantRoutes(
  app: FastifyInstance,
  opts: { jwt: JwtService; tenants: TenantService },
): Promise<void> {
  const { jwt, tenants } = opts;
  const tags = ['admin'];
  const security = USER_SECURITY;

  app.post('/admin/companies', { schema: { tags, security, body: CreateCompanyBody } }, async (request, reply) => {
    const user = await requireUser(jwt, request);
    const { name, id } = request.body as Static<typeof CreateCompanyBody>;
    const company = await tenants.createCompany(name, user, id);
    return reply.status(201).send({ success: true, company: toCompanyView(company) });
  });

  app.get('/admin/companies', { schema: { tags, security } }, async (request) => {
    const user = await requireUser(jwt, request);
    const companies = (await tenants.listCompanies(user)).map(toCompanyView);
    return { success: true, companies, total: companies.length };
  });

  app.get('/admin/companies/:companyId', { schema: { tags, security, params: CompanyParams } }, async (request) => {
    const user = await requireUser(jwt, request);
    const { companyId } = request.params as Static<typeof CompanyParams>;
    return { success: true, company: toCompanyView(await tenants.getCompany(companyId, user)) };
  });

  app.patch(
    '/admin/companies/:companyId',
    { schema: { tags, security, params: CompanyParams, body: UpdateBody } },
    async (request) => {
      const user = await requireUser(jwt, request);
      const { companyId } = request.params as Static<typeof CompanyParams>;
      const company = await tenants.updateCompany(companyId, request.body as Static<typeof UpdateBody>, user);
      return { success: true, company: toCompanyView(company) };
    },
  );

  for (const [action, status] of [
    ['deactivate', 'suspended'],
    ['activate', 'active'],
  ] as const) {
    app.post(
      `/admin/companies/:companyId/${action}`,
      { schema: { tags, security, params: CompanyParams } },
      async (request) => {
        const user = await requireUser(jwt, request);
        const { companyId } = request.params as Static<typeof CompanyParams>;
        const company = await tenants.setCompanyStatus(companyId, status, user);
        return { success: true, company: toCompanyView(company) };
      },
    );
  }

  app.post('/admin/branches', { schema: { tags, security, body: CreateBranchBody } }, async (request, reply) => {
    const user = await requireUser(jwt, request);
    const body = request.body as Static<typeof CreateBranchBody>;
    const companyId = body.companyId ?? user.companyId;
    if (companyId === undefined) {
      throw new GatewayError('BAD_REQUEST', {
        message: 'companyId is required',
        details: { path: 'body/companyId' },
      });
    }
    const branch = await tenants.createBranch(companyId, body.name, user, body.id);
    return reply.status(201).send({ success: true, branch: toBranchView(branch) });
  });

  app.get('/admin/branches', { schema: { tags, security, querystring: BranchListQuery } }, async (request) => {
    const user = await requireUser(jwt, request);
    const { companyId } = request.query as Static<typeof BranchListQuery>;
    const branches = (await tenants.listBranches(companyId, user)).map(toBranchView);
    return { success: true, branches, total: branches.length };
  });

  app.get('/admin/branches/:branchId', { schema: { tags, security, params: BranchParams } }, async (request) => {
    const user = await requireUser(jwt, request);
    const { branchId } = request.params as Static<typeof BranchParams>;
    return { success: true, branch: toBranchView(await tenants.getBranch(branchId, user)) };
  });

  app.patch(
    '/admin/branches/:branchId',
    { schema: { tags, security, params: BranchParams, body: UpdateBranchBody } },
    async (request) => {
      const user = await requireUser(jwt, request);
      const { branchId } = request.params as Static<typeof BranchParams>;
      const body = request.body as Static<typeof UpdateBranchBody>;
      const branch = await tenants.updateBranch(branchId, body as BranchFields, user);
      return { success: true, branch: toBranchView(branch) };
    },
  );

  for (const [action, status] of [
    ['deactivate', 'suspended'],
    ['activate', 'active'],
  ] as const) {
    app.post(
      `/admin/branches/:branchId/${action}`,
      { schema: { tags, security, params: BranchParams } },
      async (request) => {
        const user = await requireUser(jwt, request);
        const { branchId } = request.params as Static<typeof BranchParams>;
        const branch = await tenants.setBranchStatus(branchId, status, user);
        return { success: true, branch: toBranchView(branch) };
      },
    );
  }
}
