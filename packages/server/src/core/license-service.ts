import type { AgentAuth } from '@printermaster/protocol';
import type { AdminActor } from './admin-actor.js';
import type { Clock } from './clock.js';
import { GatewayError } from './gateway-error.js';
import { type IssueLicenseInput, LicenceAdministration } from './licence-administration.js';
import { LicenseCache } from './license-cache.js';
import { hashLicenseKey } from './license-key.js';
import { DEFAULT_MEMORY_BOUNDS, type MemoryBounds } from './memory-bounds.js';
import type { AuditLog } from './ports/audit-log.js';
import type { LicenseChangeFeed } from './ports/license-change-feed.js';
import type { License, LicenseStatus, LicenseStore } from './ports/license-store.js';
import type { Branch, Company, TenantStore } from './ports/tenant-store.js';
import type { AgentPrincipal } from './principal.js';
import { TenantCache } from './tenant-cache.js';
import type { TenantStatusChange } from './tenant-service.js';

export {
  DEFAULT_ROTATION_GRACE_MS,
  type IssueLicenseInput,
  MAX_ROTATION_GRACE_MS,
} from './licence-administration.js';
export { hashLicenseKey } from './license-key.js';

export interface ValidatedLicense {
  license: License;
  company: Company;
  branch: Branch;
  /**
   * When the key validated stops being valid: the licence's expiry, or for a key replaced by a
   * rotation the end of its grace period, whichever is first; null for never.
   */
  validUntil: Date | null;
}

/** `last_validated_at` is written at most this often per licence, ms (a reconnect storm is thousands of handshakes). */
const TOUCH_INTERVAL_MS = 60_000;

export interface LicenseServiceDeps {
  licenses: LicenseStore;
  tenants: TenantStore;
  audit: AuditLog;
  clock: Clock;
  changes?: LicenseChangeFeed;
  /** Branches and companies as validations read them; one of its own when not given. */
  tenantCache?: TenantCache;
  /** Licences and branches kept in memory at most; the defaults when not given. */
  bounds?: Pick<MemoryBounds, 'licenceCache' | 'tenantCache'>;
}

/**
 * Licence keys for agents: validated at each handshake (from memory that the database's change
 * notices keep current), and kept valid for connected agents; the changes operators make are
 * LicenceAdministration's (`admin`), on the same caches.
 */
export class LicenseService {
  private readonly licenses: LicenseStore;
  private readonly tenants: TenantStore;
  private readonly audit: AuditLog;
  private readonly clock: Clock;
  private readonly tenantCache: TenantCache;
  /** When this process last wrote `last_validated_at`, by licence id (the row read may predate it). */
  private readonly touchedAt = new Map<string, number>();
  private readonly maxTouched: number;
  private readonly cache: LicenseCache;
  /** Issue, revoke, rotate, bind…: the admin side, sharing this service's caches. */
  readonly admin: LicenceAdministration;

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
    const bounds = deps.bounds ?? DEFAULT_MEMORY_BOUNDS;
    this.maxTouched = bounds.licenceCache;
    this.tenantCache =
      deps.tenantCache ?? new TenantCache({ tenants: deps.tenants, clock: deps.clock, maxEntries: bounds.tenantCache });
    this.cache = new LicenseCache(deps.licenses, deps.changes, bounds.licenceCache);
    this.admin = new LicenceAdministration({
      licenses: deps.licenses,
      audit: deps.audit,
      clock: deps.clock,
      tenantCache: this.tenantCache,
      cache: this.cache,
    });
    // Registered first, so that branches are dropped before anyone rechecks an agent on the same notice.
    this.cache.onChange((notice) => {
      if (notice === undefined) this.tenantCache.clear();
      else if (notice.startsWith('branch:')) this.tenantCache.forgetBranch(notice.slice('branch:'.length));
      else if (notice.startsWith('company:')) this.tenantCache.forgetCompany(notice.slice('company:'.length));
    });
  }

  /** Hits and misses of the licence and tenant caches, since start (metrics). */
  cacheLookups(): { licences: { hits: number; misses: number }; tenants: { hits: number; misses: number } } {
    return { licences: this.cache.lookups, tenants: this.tenantCache.lookups };
  }

  /** Starts keeping licences in memory (see LicenseCache.start). */
  startCache(): Promise<void> {
    return this.cache.start();
  }

  /** Stops keeping licences in memory; from then on every validation reads its licence. */
  stopCache(): Promise<void> {
    return this.cache.stop();
  }

  /**
   * The licence for `key` with its company and branch, if it may be used now by
   * `deviceId`. Unknown keys are `AUTH_FAILED`; suspended, revoked, expired or
   * bound-to-another-device licences, and keys whose rotation grace period is over, are
   * `LICENSE_INVALID`; a deactivated branch or company is `BRANCH_INACTIVE`.
   */
  validate(key: string, deviceId?: string): Promise<ValidatedLicense> {
    return this.validateHash(hashLicenseKey(key), deviceId);
  }

  /**
   * Calls `listener` whenever a licence may have changed: with its key hash, or `undefined`
   * when any may have (LicenseChangeFeed, and changes this process makes). A branch's or
   * company's status change is told as the key hashes of its licences.
   */
  onLicenceChange(listener: (keyHash: string | undefined) => void): void {
    this.cache.onChange(listener);
  }

  /**
   * Whether an agent admitted with the key of `keyHash` may stay connected: the licence is
   * still valid for the device and still of `branchId`, and the branch is active. Reads the
   * licence anew after a change. `expiresAt` is when the key stops being valid (the end of a
   * rotation's grace period for a replaced key).
   */
  async stillValid(
    keyHash: string,
    deviceId: string,
    branchId: string,
  ): Promise<{ valid: true; expiresAt: Date | null } | { valid: false; reason: string }> {
    try {
      const { branch, validUntil } = await this.validateHash(keyHash, deviceId);
      if (branch.id !== branchId) return { valid: false, reason: 'licence is no longer valid for this branch' };
      return { valid: true, expiresAt: validUntil };
    } catch (err) {
      if (
        err instanceof GatewayError &&
        (err.code === 'LICENSE_INVALID' || err.code === 'AUTH_FAILED' || err.code === 'BRANCH_INACTIVE')
      )
        return { valid: false, reason: err.message };
      throw err;
    }
  }

  /**
   * Throws `BRANCH_INACTIVE` when the branch or its company is deactivated (print jobs for it
   * are refused), `BRANCH_NOT_FOUND` when it is gone. Answered from memory in the common case.
   */
  async requireActiveBranch(branchId: string): Promise<void> {
    await this.tenantCache.requireActive(branchId);
  }

  /**
   * Throws `BRANCH_INACTIVE` when the company is deactivated, or the branch (when given) or its
   * company; `COMPANY_NOT_FOUND` / `BRANCH_NOT_FOUND` when gone. A company alone is read from the
   * store (API keys verified anew, not on a hot path); a branch from memory.
   */
  async requireActiveTenant(companyId: string, branchId: string | null): Promise<void> {
    if (branchId !== null) {
      await this.tenantCache.requireActive(branchId);
      return;
    }
    const company = await this.tenants.findCompany(companyId);
    if (!company) throw new GatewayError('COMPANY_NOT_FOUND');
    if (company.status !== 'active') {
      throw new GatewayError('BRANCH_INACTIVE', {
        message: 'the company is deactivated',
        details: { companyId },
      });
    }
  }

  /**
   * A company or branch was deactivated or activated by this process: drop it from memory now,
   * and have the agents of its licences checked again (they are disconnected if it is now
   * deactivated). Other processes hear it from the database (migration 008's notices).
   */
  async tenantStatusChanged(change: TenantStatusChange): Promise<void> {
    if (change.branchId) this.tenantCache.forgetBranch(change.branchId);
    else this.tenantCache.forgetCompany(change.companyId);
    const hashes = await this.licenses.keyHashesOf(
      change.branchId ? { branchId: change.branchId } : { companyId: change.companyId },
    );
    for (const keyHash of hashes) this.cache.announce(keyHash);
  }

  private async validateHash(keyHash: string, deviceId?: string): Promise<ValidatedLicense> {
    const license = await this.cache.find(keyHash);
    if (!license) throw new GatewayError('AUTH_FAILED', { message: 'licence key is not known' });
    const now = this.clock.now();
    let validUntil = license.expiresAt;
    if (license.previousKeyHash === keyHash) {
      const graceEnd = license.previousKeyValidUntil;
      if (!graceEnd || graceEnd.getTime() <= now) {
        throw new GatewayError('LICENSE_INVALID', {
          message: 'this licence key was replaced by a rotation and its grace period is over',
        });
      }
      if (!validUntil || graceEnd < validUntil) validUntil = graceEnd;
    }
    let status = license.status;
    if (status === 'active' && license.expiresAt && license.expiresAt.getTime() <= now) {
      this.cache.forget(license.id);
      await this.licenses.setStatus(license.id, 'expired', 'expired');
      status = 'expired';
    }
    if (status !== 'active') {
      throw new GatewayError('LICENSE_INVALID', { message: `licence is ${status}`, details: { status } });
    }
    if (license.boundDeviceId && deviceId && license.boundDeviceId !== deviceId) {
      throw new GatewayError('LICENSE_INVALID', { message: 'licence is bound to another device' });
    }
    // A revocation takes effect at the next handshake (the licence comes from the store, or from
    // memory that the database's change notices keep current); branch and company come from
    // memory that status changes and their notices drop (TenantCache).
    const { branch, company } = await this.tenantCache.get(license.branchId);
    if (!branch || !company) throw new GatewayError('LICENSE_INVALID', { message: 'licence branch no longer exists' });
    if (company.status !== 'active') {
      throw new GatewayError('BRANCH_INACTIVE', { message: 'the company of this licence is deactivated' });
    }
    if (branch.status !== 'active') {
      throw new GatewayError('BRANCH_INACTIVE', { message: 'the branch of this licence is deactivated' });
    }
    const lastTouch = Math.max(license.lastValidatedAt?.getTime() ?? 0, this.touchedAt.get(license.id) ?? 0);
    if (now - lastTouch > TOUCH_INTERVAL_MS) {
      if (this.touchedAt.size >= this.maxTouched) this.touchedAt.clear();
      this.touchedAt.set(license.id, now);
      await this.licenses.touchValidated(license.id, new Date(now));
    }
    return { license, company, branch, validUntil };
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

  /** Issues a new licence (LicenceAdministration.issue). */
  issue(input: IssueLicenseInput): Promise<{ license: License; key: string }> {
    return this.admin.issue(input);
  }

  /** Licences `by` may see (LicenceAdministration.list). */
  list(filter: { companyId?: string; branchId?: string }, by?: AdminActor | string): Promise<License[]> {
    return this.admin.list(filter, by);
  }

  /** LicenceAdministration.get. */
  get(id: string, by: AdminActor | string): Promise<License> {
    return this.admin.get(id, by);
  }

  /** LicenceAdministration.setStatus. */
  setStatus(id: string, status: LicenseStatus, by: AdminActor | string): Promise<License> {
    return this.admin.setStatus(id, status, by);
  }

  /** LicenceAdministration.rotate. */
  rotate(id: string, by: AdminActor | string, graceMs?: number): Promise<{ license: License; key: string }> {
    return this.admin.rotate(id, by, graceMs);
  }

  /** LicenceAdministration.bind. */
  bind(id: string, deviceId: string, by: AdminActor | string): Promise<License> {
    return this.admin.bind(id, deviceId, by);
  }

  /** LicenceAdministration.unbind. */
  unbind(id: string, by: AdminActor | string): Promise<License> {
    return this.admin.unbind(id, by);
  }
}
