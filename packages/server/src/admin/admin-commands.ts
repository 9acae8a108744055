import { instantMs, isRole, ROLES } from '@printermaster/protocol';
import type { JwtService } from '../auth/jwt-service.js';
import type { SessionTokens } from '../auth/session-tokens.js';
import { CLI_ACTOR } from '../core/admin-actor.js';
import { GatewayError } from '../core/gateway-error.js';
import { toLicenceView } from '../core/licence-view.js';
import { type LicenseService, MAX_ROTATION_GRACE_MS } from '../core/license-service.js';
import { LICENSE_STATUSES, type License, type LicenseStatus } from '../core/ports/license-store.js';
import type { TenantService } from '../core/tenant-service.js';
import type { Database } from '../store/database.js';
import { migrationStatus } from '../store/migrator.js';

/** A command of `printermaster admin`, as sent over the admin socket or run in-process. */
export interface AdminRequest {
  command: string;
  args: Record<string, string | undefined>;
}

/**
 * Operator commands: tenants, licences and tokens. The same code serves the CLI
 * in-process (store not in use) and through the running gateway's admin socket.
 * Results are plain JSON.
 */
export class AdminCommands {
  constructor(
    private readonly tenants: TenantService,
    private readonly licenses: LicenseService,
    private readonly jwt: JwtService,
    /** Writes a consistent copy of the embedded store to a file (embedded store only). */
    private readonly backup?: (file: string) => Promise<number>,
    /** `token --session`: sessions as `POST /auth/sessions` starts them (docs/credentials.md). */
    private readonly sessions?: SessionTokens,
    /** The store the gateway runs on, for `migrate.status` (read only). */
    private readonly store?: Database,
    /** The gateway's own address (PRINTERMASTER_PUBLIC_URL): a login link names it, whatever the CLI's settings. */
    private readonly publicUrl?: string,
  ) {}

  async run(req: AdminRequest): Promise<unknown> {
    const a = req.args;
    switch (req.command) {
      case 'company.create':
        return this.tenants.createCompany(required(a, 'name'), CLI_ACTOR, a.id || undefined);
      case 'company.list':
        return this.tenants.listCompanies(CLI_ACTOR);
      case 'company.get':
        return this.tenants.getCompany(required(a, 'id'), CLI_ACTOR);
      case 'company.update':
        return this.tenants.updateCompany(required(a, 'id'), { name: required(a, 'name') }, CLI_ACTOR);
      case 'company.deactivate':
      case 'company.activate':
        return this.tenants.setCompanyStatus(required(a, 'id'), statusOf(req.command), CLI_ACTOR);
      case 'branch.create':
        return this.tenants.createBranch(required(a, 'company'), required(a, 'name'), CLI_ACTOR, a.id || undefined);
      case 'branch.list':
        return this.tenants.listBranches(a.company, CLI_ACTOR);
      case 'branch.get':
        return this.tenants.getBranch(required(a, 'id'), CLI_ACTOR);
      case 'branch.update':
        return this.tenants.updateBranch(required(a, 'id'), { name: required(a, 'name') }, CLI_ACTOR);
      case 'branch.deactivate':
      case 'branch.activate':
        return this.tenants.setBranchStatus(required(a, 'id'), statusOf(req.command), CLI_ACTOR);
      case 'license.issue': {
        const branch = await this.tenants.getBranch(required(a, 'branch'));
        const { license, key } = await this.licenses.issue({
          companyId: branch.companyId,
          branchId: branch.id,
          maxPrinters: a['max-printers'] === undefined ? undefined : positiveInt(a['max-printers'], 'max-printers'),
          expiresAt: a.expires === undefined ? null : date(a.expires, 'expires'),
          boundDeviceId: a.device ?? null,
          actor: CLI_ACTOR,
        });
        return { ...view(license), licenseKey: key };
      }
      case 'license.list':
        return (await this.licenses.list({ companyId: a.company, branchId: a.branch }, CLI_ACTOR)).map(view);
      case 'license.get':
        return view(await this.licenses.get(required(a, 'id'), CLI_ACTOR));
      case 'license.set-status': {
        const status = required(a, 'status');
        if (!(LICENSE_STATUSES as readonly string[]).includes(status)) {
          throw new GatewayError('BAD_REQUEST', { message: `status must be one of ${LICENSE_STATUSES.join(', ')}` });
        }
        return view(await this.licenses.setStatus(required(a, 'id'), status as LicenseStatus, CLI_ACTOR));
      }
      case 'license.rotate': {
        const graceMs = a.grace === undefined ? undefined : duration(a.grace, 'grace');
        const { license, key } = await this.licenses.rotate(required(a, 'id'), CLI_ACTOR, graceMs);
        return { ...view(license), licenseKey: key };
      }
      case 'license.bind':
        return view(await this.licenses.bind(required(a, 'id'), required(a, 'device'), CLI_ACTOR));
      case 'license.unbind':
        return view(await this.licenses.unbind(required(a, 'id'), CLI_ACTOR));
      case 'token': {
        const claims = await this.claimsOf(a, required(a, 'role'));
        if (a.session !== undefined) {
          // An access token (JWT_ACCESS_TTL) and a refresh token, logged out like any session.
          if (!this.sessions) throw new GatewayError('BAD_REQUEST', { message: '--session is not available here' });
          if (a.expires !== undefined) {
            throw new GatewayError('BAD_REQUEST', {
              message: '--expires does not apply to --session (JWT_ACCESS_TTL)',
            });
          }
          return this.sessions.begin(CLI_PRINCIPAL, claims);
        }
        const token = await this.jwt.sign(claims, a.expires);
        return { token };
      }
      case 'login-link': {
        // A one-time code for the dashboard (docs/dashboard.md); the CLI makes the link of it.
        if (!this.sessions) throw new GatewayError('BAD_REQUEST', { message: 'login-link is not available here' });
        const claims = await this.claimsOf(a, a.role || 'super_admin');
        const login = await this.sessions.loginCode(CLI_PRINCIPAL, claims, LOGIN_LINK_TTL_MS);
        const where = this.publicUrl === undefined ? {} : { publicUrl: this.publicUrl };
        return { ...login, role: claims.role, companyId: claims.companyId, branchId: claims.branchId, ...where };
      }
      case 'backup': {
        if (!this.backup)
          throw new GatewayError('BAD_REQUEST', {
            message: 'backup is for the embedded store; PostgreSQL is backed up with pg_dump',
          });
        const file = required(a, 'file');
        return { file, bytes: await this.backup(file) };
      }
      case 'migrate.status': {
        // What `printermaster migrate` of a new checkout reports while this gateway holds the
        // embedded store: the checkout compares its own migrations with these.
        if (!this.store) throw new GatewayError('BAD_REQUEST', { message: 'migrate.status is not available here' });
        const { applied } = await migrationStatus(this.store, []);
        return { store: this.store.description, pid: process.pid, applied };
      }
      default:
        throw new GatewayError('BAD_REQUEST', { message: `unknown admin command "${req.command}"` });
    }
  }

  /** The claims of a token or session for `role` in the scope `--company`/`--branch` name, both checked. */
  private async claimsOf(a: Record<string, string | undefined>, role: string) {
    if (!isRole(role)) throw new GatewayError('BAD_REQUEST', { message: `role must be one of ${ROLES.join(', ')}` });
    let companyId = a.company;
    if (a.branch && !companyId) companyId = (await this.tenants.getBranch(a.branch)).companyId;
    if (companyId) await this.tenants.getCompany(companyId);
    if (a.branch) {
      const branch = await this.tenants.getBranch(a.branch);
      if (branch.companyId !== companyId)
        throw new GatewayError('BAD_REQUEST', { message: 'the branch belongs to another company' });
    }
    return {
      sub: a.sub ?? `${role}@cli`,
      role,
      ...(a.email ? { email: a.email } : {}),
      ...(role !== 'super_admin' && companyId ? { companyId } : {}),
      ...((role === 'branch_manager' || role === 'cashier') && a.branch ? { branchId: a.branch } : {}),
    };
  }
}

/** The operator at the command line, as the caller that hands out tokens and sessions. */
const CLI_PRINCIPAL = { kind: 'user', userId: 'cli', role: 'super_admin' } as const;

/** How long a dashboard login link may wait before it is used: short, since it sits in a URL. */
export const LOGIN_LINK_TTL_MS = 10 * 60_000;

function view(license: License) {
  return toLicenceView(license, Date.now());
}

function statusOf(command: string): 'active' | 'suspended' {
  return command.endsWith('.activate') ? 'active' : 'suspended';
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `90m`, `24h`, `2d` or a number of seconds, in ms; at most the longest rotation grace period. */
function duration(value: string, name: string): number {
  const match = /^(\d{1,9})([smhd]?)$/.exec(value.trim());
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2] || 's'] ?? 1_000) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms > MAX_ROTATION_GRACE_MS) {
    throw new GatewayError('BAD_REQUEST', {
      message: `--${name} must be a duration such as 30s, 90m, 24h or 7d, at most ${MAX_ROTATION_GRACE_MS / 86_400_000}d`,
    });
  }
  return ms;
}

function required(args: Record<string, string | undefined>, name: string): string {
  const v = args[name];
  if (v === undefined || v === '') throw new GatewayError('BAD_REQUEST', { message: `--${name} is required` });
  return v;
}

function positiveInt(value: string, name: string): number {
  const n = Number(value);
  // The column is a PostgreSQL integer: anything larger is refused here rather than by the store.
  if (!Number.isInteger(n) || n < 0 || n > 2_147_483_647)
    throw new GatewayError('BAD_REQUEST', { message: `--${name} must be a whole number up to 2147483647` });
  return n;
}

function date(value: string, name: string): Date {
  const ms = instantMs(value);
  if (ms === undefined) {
    throw new GatewayError('BAD_REQUEST', {
      message: `--${name} must be a date between the years 1 and 9999, e.g. 2027-01-31`,
    });
  }
  return new Date(ms);
}
