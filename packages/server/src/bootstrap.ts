import { isoTime } from '@printermaster/protocol';
import { LOGIN_LINK_TTL_MS } from './admin/admin-commands.js';
import type { JwtService } from './auth/jwt-service.js';
import type { LicenseService } from './core/license-service.js';
import type { MetaStore } from './core/ports/meta-store.js';
import type { TenantStore } from './core/ports/tenant-store.js';
import type { SessionService } from './core/session-service.js';
import type { TenantService } from './core/tenant-service.js';

export interface BootstrapResult {
  companyId: string;
  branchId: string;
  licenseKey: string;
  adminToken: string;
  /** The one-time code of a login link to the dashboard for the bootstrap admin (docs/dashboard.md). */
  dashboardCode?: string;
}

/**
 * First start on an empty store: a default company and branch, a licence for
 * the branch and a super-admin token. Runs once: the `bootstrap` meta key is
 * claimed first, so a second process (or a restart) never repeats it.
 */
export async function bootstrapIfEmpty(deps: {
  tenants: TenantStore;
  tenantService: TenantService;
  licenses: LicenseService;
  jwt: JwtService;
  meta: MetaStore;
  /** When given, the message also carries a login link to the dashboard. */
  sessions?: Pick<SessionService, 'begin'>;
}): Promise<BootstrapResult | undefined> {
  if ((await deps.tenants.countCompanies()) > 0) return undefined;
  if (!(await deps.meta.putIfAbsent('bootstrap', { startedAt: isoTime(Date.now()) }))) return undefined;
  const company = await deps.tenantService.createCompany('Default company', 'bootstrap');
  const branch = await deps.tenantService.createBranch(company.id, 'Main branch', 'bootstrap');
  const { key } = await deps.licenses.issue({ companyId: company.id, branchId: branch.id, actor: 'bootstrap' });
  const adminToken = await deps.jwt.sign(
    { sub: 'bootstrap-admin', email: 'admin@localhost', role: 'super_admin' },
    '30d',
  );
  const admin = { sub: 'bootstrap-admin', email: 'admin@localhost', role: 'super_admin' } as const;
  const login = await deps.sessions?.begin(
    { kind: 'user', userId: 'bootstrap', role: 'super_admin' },
    admin,
    {},
    LOGIN_LINK_TTL_MS,
  );
  return {
    companyId: company.id,
    branchId: branch.id,
    licenseKey: key,
    adminToken,
    ...(login ? { dashboardCode: login.refreshToken } : {}),
  };
}

/** The one-time message shown on the console (not in the JSON log: it holds secrets). */
export function bootstrapMessage(result: BootstrapResult, publicUrl: string): string {
  return [
    '',
    '================ PrinterMaster: first start ================',
    'Created "Default company" with branch "Main branch".',
    'These secrets are shown only this once; keep them somewhere safe.',
    '',
    `  Company id   : ${result.companyId}`,
    `  Branch id    : ${result.branchId}`,
    `  Licence key  : ${result.licenseKey}`,
    `  Admin JWT    : ${result.adminToken}`,
    '                 (super_admin, valid 30 days; mint more with `npx printermaster admin token --role super_admin`)',
    '',
    'Connect a branch agent:',
    `  npx printermaster agent --server ${publicUrl} --license ${result.licenseKey} --printer kitchen=tcp://<printer-ip>:9100`,
    'Try the API:',
    `  curl -H "Authorization: Bearer <Admin JWT>" ${publicUrl}/printing/printers`,
    ...(result.dashboardCode
      ? [
          'Open the dashboard (this link works once, within 10 minutes; `npx printermaster admin login-link` prints another):',
          `  ${publicUrl}/login#${result.dashboardCode}`,
        ]
      : []),
    `API docs: ${publicUrl}/docs`,
    '=============================================================',
    '',
  ].join('\n');
}
