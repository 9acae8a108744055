import { createHash, randomUUID } from 'node:crypto';
import type { AgentAuth } from '@printermaster/protocol';
import type { Clock } from './clock.js';
import { GatewayError } from './gateway-error.js';
import { LicenseCache } from './license-cache.js';
import type { AuditLog } from './ports/audit-log.js';
import type { LicenseChangeFeed } from './ports/license-change-feed.js';
import type { License, LicenseStatus, LicenseStore } from './ports/license-store.js';
import type { Branch, Company, TenantStore } from './ports/tenant-store.js';
import type { AgentPrincipal } from './principal.js';

export function hashLicenseKey(key: string): string {
  // Keys are 122 random bits, so a plain hash is enough to make a stolen table useless.
  return createHash('sha256').update(key.trim().toLowerCase()).digest('hex');
}

export interface ValidatedLicense {
  license: License;
  company: Company;
  branch: Branch;
}

export interface IssueLicenseInput {
  companyId: string;
  branchId: string;
  maxPrinters?: number;
  expiresAt?: Date | null;
  boundDeviceId?: string | null;
  features?: string[];
  actor: string;
}

/** How long branch and company records are reused between validations, ms. */
const TENANT_CACHE_MS = 30_000;
/** `last_validated_at` is written at most this often per licence, ms (a reconnect storm is thousands of handshakes). */
const TOUCH_INTERVAL_MS = 60_000;

export interface LicenseServiceDeps {
  licenses: LicenseStore;
  tenants: TenantStore;
  audit: AuditLog;
  clock: Clock;
  changes?: LicenseChangeFeed;
}

/** Licence keys for agents: issued once (the key is shown only then), validated, revoked. */
export class LicenseService {
  private readonly licenses: LicenseStore;
  private readonly tenants: TenantStore;
  private readonly audit: AuditLog;
  private readonly clock: Clock;
  private readonly tenantCache = new Map<string, { branch: Branch; company: Company; at: number }>();
  private readonly tenantLoads = new Map<
    string,
    Promise<{ branch: Branch | undefined; company: Company | undefined }>
  >();
  /** When this process last wrote `last_validated_at`, by licence id (the row read may predate it). */
  private readonly touchedAt = new Map<string, number>();
  private readonly cache: LicenseCache;

  /**
   * With `changes`, validated licences are kept in memory (LicenseCache) and dropped as soon
   * as the database announces a change to them. Without it (the admin CLI), every validation
   * reads the row.
   */
  constructor(deps: LicenseServiceDeps) {
    this.licenses = deps.licenses;
    this.tenants = deps.tenants;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.cache = new LicenseCache(deps.licenses, deps.changes);
  }

  /** Starts keeping licences in memory (see LicenseCache.start). */
  startCache(): Promise<void> {
    return this.cache.start();
  }

  /** Stops keeping licences in memory; from then on every validation reads its licence. */
  stopCache(): Promise<void> {
    return this.cache.stop();
  }

  /** Issues a new licence; the returned `key` is not stored and cannot be shown again. */
  async issue(input: IssueLicenseInput): Promise<{ license: License; key: string }> {
    const branch = await this.tenants.findBranch(input.branchId);
    if (!branch || branch.companyId !== input.companyId) throw new GatewayError('BRANCH_NOT_FOUND');
    const key = randomUUID();
    const license = await this.licenses.insert({
      id: randomUUID(),
      companyId: input.companyId,
      branchId: input.branchId,
      keyHash: hashLicenseKey(key),
      keyHint: key.slice(-4),
      status: 'active',
      expiresAt: input.expiresAt ?? null,
      boundDeviceId: input.boundDeviceId ?? null,
      maxPrinters: input.maxPrinters ?? 10,
      features: input.features ?? ['printing', 'printer-test', 'health-monitoring'],
    });
    await this.audit.record({
      companyId: input.companyId,
      actor: input.actor,
      action: 'license.issued',
      targetType: 'license',
      targetId: license.id,
      details: { branchId: input.branchId, keyHint: license.keyHint },
    });
    return { license, key };
  }

  /**
   * The licence for `key` with its company and branch, if it may be used now by
   * `deviceId`. Unknown keys are `AUTH_FAILED`; suspended, revoked, expired or
   * bound-to-another-device licences are `LICENSE_INVALID`.
   */
  validate(key: string, deviceId?: string): Promise<ValidatedLicense> {
    return this.validateHash(hashLicenseKey(key), deviceId);
  }

  /**
   * Calls `listener` whenever a licence may have changed: with its key hash, or `undefined`
   * when any may have (LicenseChangeFeed, and changes this process makes).
   */
  onLicenceChange(listener: (keyHash: string | undefined) => void): void {
    this.cache.onChange(listener);
  }

  /**
   * Whether an agent admitted with the key of `keyHash` may stay connected: the licence is
   * still valid for the device and still of `branchId`. Reads the licence anew after a change.
   */
  async stillValid(
    keyHash: string,
    deviceId: string,
    branchId: string,
  ): Promise<{ valid: true; expiresAt: Date | null } | { valid: false; reason: string }> {
    try {
      const { license, branch } = await this.validateHash(keyHash, deviceId);
      if (branch.id !== branchId) return { valid: false, reason: 'licence is no longer valid for this branch' };
      return { valid: true, expiresAt: license.expiresAt };
    } catch (err) {
      if (err instanceof GatewayError && (err.code === 'LICENSE_INVALID' || err.code === 'AUTH_FAILED'))
        return { valid: false, reason: err.message };
      throw err;
    }
  }

  private async validateHash(keyHash: string, deviceId?: string): Promise<ValidatedLicense> {
    const license = await this.cache.find(keyHash);
    if (!license) throw new GatewayError('AUTH_FAILED', { message: 'licence key is not known' });
    let status = license.status;
    if (status === 'active' && license.expiresAt && license.expiresAt.getTime() <= this.clock.now()) {
      this.cache.forget(license.id);
      await this.licenses.setStatus(license.id, 'expired');
      status = 'expired';
    }
    if (status !== 'active') {
      throw new GatewayError('LICENSE_INVALID', { message: `licence is ${status}`, details: { status } });
    }
    if (license.boundDeviceId && deviceId && license.boundDeviceId !== deviceId) {
      throw new GatewayError('LICENSE_INVALID', { message: 'licence is bound to another device' });
    }
    // A revocation takes effect at the next handshake (the licence comes from the store, or from
    // memory that the database's change notices keep current); branch and company change rarely
    // and are reused for a short while.
    const { branch, company } = await this.tenantOf(license.branchId);
    if (!branch || !company) throw new GatewayError('LICENSE_INVALID', { message: 'licence branch no longer exists' });
    if (company.status !== 'active') throw new GatewayError('LICENSE_INVALID', { message: 'company is suspended' });
    const now = this.clock.now();
    const lastTouch = Math.max(license.lastValidatedAt?.getTime() ?? 0, this.touchedAt.get(license.id) ?? 0);
    if (now - lastTouch > TOUCH_INTERVAL_MS) {
      if (this.touchedAt.size > 50_000) this.touchedAt.clear();
      this.touchedAt.set(license.id, now);
      await this.licenses.touchValidated(license.id, new Date(now));
    }
    return { license, company, branch };
  }

  private tenantOf(branchId: string): Promise<{ branch: Branch | undefined; company: Company | undefined }> {
    const cached = this.tenantCache.get(branchId);
    if (cached && this.clock.now() - cached.at < TENANT_CACHE_MS) return Promise.resolve(cached);
    // Handshakes of one branch arriving together share one read.
    let loading = this.tenantLoads.get(branchId);
    if (!loading) {
      loading = this.loadTenant(branchId).finally(() => this.tenantLoads.delete(branchId));
      this.tenantLoads.set(branchId, loading);
    }
    return loading;
  }

  private async loadTenant(branchId: string): Promise<{ branch: Branch | undefined; company: Company | undefined }> {
    const branch = await this.tenants.findBranch(branchId);
    const company = branch && (await this.tenants.findCompany(branch.companyId));
    if (branch && company) {
      if (this.tenantCache.size > 50_000) this.tenantCache.clear();
      this.tenantCache.set(branchId, { branch, company, at: this.clock.now() });
    }
    return { branch, company };
  }

  /**
   * Admits an agent: the licence must be valid for the device and bound to the
   * branch the agent names. Scope comes from the licence, never from `auth`.
   */
  async authenticateAgent(auth: AgentAuth): Promise<AgentPrincipal & ValidatedLicense> {
    const validated = await this.validate(auth.licenseKey, auth.deviceId);
    if (validated.branch.id !== auth.branchId) {
      throw new GatewayError('AUTH_FAILED', { message: 'licence is not valid for this branch' });
    }
    return {
      kind: 'agent',
      deviceId: auth.deviceId,
      companyId: validated.company.id,
      branchId: validated.branch.id,
      licenseId: validated.license.id,
      ...validated,
    };
  }

  list(filter: { companyId?: string; branchId?: string }): Promise<License[]> {
    return this.licenses.list(filter);
  }

  async setStatus(id: string, status: LicenseStatus, actor: string): Promise<License> {
    // This process need not wait for the database's notice of its own change.
    const keyHash = this.cache.hashOf(id);
    this.cache.forget(id);
    const license = await this.licenses.setStatus(id, status);
    this.cache.forget(id);
    // Agents of this licence are checked again now (all of them if its key is not in memory).
    this.cache.announce(keyHash);
    if (!license) throw new GatewayError('LICENSE_NOT_FOUND');
    await this.audit.record({
      companyId: license.companyId,
      actor,
      action: `license.${status}`,
      targetType: 'license',
      targetId: id,
    });
    return license;
  }
}
