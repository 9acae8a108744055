import { createHash, randomUUID } from 'node:crypto';
import type { AgentAuth } from '@printermaster/protocol';
import { ADMIN_ROLES, type AdminActor, actorCanSee, actorName, operator, requireActorRole } from './admin-actor.js';
import type { Clock } from './clock.js';
import { GatewayError } from './gateway-error.js';
import { LicenseCache } from './license-cache.js';
import type { AuditLog } from './ports/audit-log.js';
import type { LicenseChangeFeed } from './ports/license-change-feed.js';
import type { LicenceChange, License, LicenseStatus, LicenseStore } from './ports/license-store.js';
import type { Branch, Company, TenantStore } from './ports/tenant-store.js';
import type { AgentPrincipal } from './principal.js';
import { TenantCache } from './tenant-cache.js';
import type { TenantStatusChange } from './tenant-service.js';

export function hashLicenseKey(key: string): string {
  // Keys are 122 random bits, so a plain hash is enough to make a stolen table useless.
  return createHash('sha256').update(key.trim().toLowerCase()).digest('hex');
}

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

export interface IssueLicenseInput {
  /** The branch's company (checked); taken from the branch when absent. */
  companyId?: string;
  branchId: string;
  maxPrinters?: number;
  expiresAt?: Date | null;
  boundDeviceId?: string | null;
  features?: string[];
  /** Who issues it: a web user (within their scope) or an operator; a string names an operator. */
  actor: AdminActor | string;
}

/** How long the key a rotation replaced stays valid by default: a day to paste the new one into the agent, ms. */
export const DEFAULT_ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;
/** The longest grace period a rotation may give the replaced key, ms (7 days). */
export const MAX_ROTATION_GRACE_MS = 7 * 24 * 60 * 60 * 1000;

/** `last_validated_at` is written at most this often per licence, ms (a reconnect storm is thousands of handshakes). */
const TOUCH_INTERVAL_MS = 60_000;

const CHANGE_OF_STATUS: Record<LicenseStatus, LicenceChange> = {
  active: 'activated',
  suspended: 'suspended',
  revoked: 'revoked',
  expired: 'expired',
};

export interface LicenseServiceDeps {
  licenses: LicenseStore;
  tenants: TenantStore;
  audit: AuditLog;
  clock: Clock;
  changes?: LicenseChangeFeed;
  /** Branches and companies as validations read them; one of its own when not given. */
  tenantCache?: TenantCache;
}

/**
 * Licence keys for agents (docs/admin-api.md#licences): issued once (the key is shown only
 * then), validated, revoked, suspended, activated, rotated (the replaced key stays valid for a
 * grace period), bound to a device and unbound. Every change is audited and written to the
 * event outbox as `licence.<change>` in its own transaction (LicenseStore).
 *
 * Admin methods take who acts: a web user may act on the licences of the branches it can see
 * (roles `super_admin`, `company_owner`, `branch_manager`; cashiers none), and a licence outside
 * its scope is `LICENSE_NOT_FOUND`; an operator (the CLI) may act on any.
 */
export class LicenseService {
  private readonly licenses: LicenseStore;
  private readonly audit: AuditLog;
  private readonly clock: Clock;
  private readonly tenantCache: TenantCache;
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
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.tenantCache = deps.tenantCache ?? new TenantCache({ tenants: deps.tenants, clock: deps.clock });
    this.cache = new LicenseCache(deps.licenses, deps.changes);
    // Registered first, so that branches are dropped before anyone rechecks an agent on the same notice.
    this.cache.onChange((notice) => {
      if (notice === undefined) this.tenantCache.clear();
      else if (notice.startsWith('branch:')) this.tenantCache.forgetBranch(notice.slice('branch:'.length));
      else if (notice.startsWith('company:')) this.tenantCache.forgetCompany(notice.slice('company:'.length));
    });
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
    const actor = asActor(input.actor);
    requireActorRole(actor, ADMIN_ROLES);
    const { branch } = await this.tenantCache.get(input.branchId);
    if (!branch || !actorCanSee(actor, branch.companyId, branch.id)) throw new GatewayError('BRANCH_NOT_FOUND');
    if (input.companyId !== undefined && branch.companyId !== input.companyId)
      throw new GatewayError('BRANCH_NOT_FOUND');
    const key = randomUUID();
    const license = await this.licenses.insert({
      id: randomUUID(),
      companyId: branch.companyId,
      branchId: input.branchId,
      keyHash: hashLicenseKey(key),
      keyHint: key.slice(-4),
      status: 'active',
      expiresAt: input.expiresAt ?? null,
      boundDeviceId: input.boundDeviceId ?? null,
      maxPrinters: input.maxPrinters ?? 10,
      features: input.features ?? ['printing', 'printer-test', 'health-monitoring'],
    });
    await this.record(actor, license, 'license.issued', { branchId: input.branchId, keyHint: license.keyHint });
    return { license, key };
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
      if (this.touchedAt.size > 50_000) this.touchedAt.clear();
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

  /**
   * Licences `by` may see, narrowed by `filter`. A filter outside a user's scope is
   * `FORBIDDEN`, as in every listing of the API.
   */
  async list(
    filter: { companyId?: string; branchId?: string },
    by: AdminActor | string = operator('internal'),
  ): Promise<License[]> {
    const actor = asActor(by);
    requireActorRole(actor, ADMIN_ROLES);
    if (actor.kind === 'operator' || actor.role === 'super_admin') return this.licenses.list(filter);
    if (filter.companyId && filter.companyId !== actor.companyId) {
      throw new GatewayError('FORBIDDEN', { message: 'that company is outside your scope' });
    }
    if (actor.role === 'company_owner') return this.licenses.list({ ...filter, companyId: actor.companyId });
    if (filter.branchId && filter.branchId !== actor.branchId) {
      throw new GatewayError('FORBIDDEN', { message: 'that branch is outside your scope' });
    }
    return this.licenses.list({ companyId: actor.companyId, branchId: actor.branchId });
  }

  /** The licence if `by` may see it; `LICENSE_NOT_FOUND` otherwise. */
  async get(id: string, by: AdminActor | string): Promise<License> {
    const actor = asActor(by);
    requireActorRole(actor, ADMIN_ROLES);
    const license = await this.licenses.findById(id);
    if (!license || !actorCanSee(actor, license.companyId, license.branchId))
      throw new GatewayError('LICENSE_NOT_FOUND');
    return license;
  }

  /**
   * Sets a licence's status: `revoked` (final: a revoked licence cannot be activated or
   * suspended again, `CONFLICT`), `suspended`, `active` (from suspended or expired), `expired`.
   * Agents using it are checked again at once, and disconnected if no longer valid.
   */
  async setStatus(id: string, status: LicenseStatus, by: AdminActor | string): Promise<License> {
    const actor = asActor(by);
    const before = await this.get(id, actor);
    if (before.status === status) return before;
    if (before.status === 'revoked') {
      throw new GatewayError('CONFLICT', {
        message: 'the licence is revoked, which is final; issue a new one',
        details: { status: before.status },
      });
    }
    const license = await this.changing(id, () => this.licenses.setStatus(id, status, CHANGE_OF_STATUS[status]));
    await this.record(actor, license, `license.${status}`);
    return license;
  }

  /**
   * Gives the licence a new key, shown once in the answer. The replaced key stays valid for
   * `graceMs` (default 24 h, at most 7 days; 0: refused at once); the key replaced before it,
   * if still in its grace period, is refused from now on. Agents using the replaced key are
   * disconnected when its grace period ends. A revoked licence cannot be rotated (`CONFLICT`).
   */
  async rotate(
    id: string,
    by: AdminActor | string,
    graceMs: number = DEFAULT_ROTATION_GRACE_MS,
  ): Promise<{ license: License; key: string }> {
    const actor = asActor(by);
    if (!Number.isInteger(graceMs) || graceMs < 0 || graceMs > MAX_ROTATION_GRACE_MS) {
      throw new GatewayError('BAD_REQUEST', {
        message: `the grace period must be a whole number of seconds from 0 to ${MAX_ROTATION_GRACE_MS / 1000}`,
        details: { path: 'body/graceSeconds' },
      });
    }
    const before = await this.get(id, actor);
    if (before.status === 'revoked') {
      throw new GatewayError('CONFLICT', {
        message: 'the licence is revoked; issue a new one',
        details: { status: 'revoked' },
      });
    }
    const key = randomUUID();
    const previousKeyValidUntil = graceMs > 0 ? new Date(this.clock.now() + graceMs) : null;
    const license = await this.changing(id, () =>
      this.licenses.rotateKey(id, { keyHash: hashLicenseKey(key), keyHint: key.slice(-4), previousKeyValidUntil }),
    );
    await this.record(actor, license, 'license.rotated', {
      keyHint: license.keyHint,
      previousKeyHint: before.keyHint,
      graceSeconds: graceMs / 1000,
    });
    return { license, key };
  }

  /**
   * Binds the licence to `deviceId`: from then on only that device may use it, and agents of
   * other devices using it are disconnected. Binding to the device it is bound to already
   * changes nothing; a licence bound to another device is `CONFLICT` (unbind it first).
   */
  async bind(id: string, deviceId: string, by: AdminActor | string): Promise<License> {
    const actor = asActor(by);
    const before = await this.get(id, actor);
    if (before.boundDeviceId === deviceId) return before;
    if (before.boundDeviceId !== null) throw boundElsewhere(before.boundDeviceId);
    const license = await this.changing(id, () => this.licenses.bindDevice(id, deviceId, 'bound'));
    if (license.boundDeviceId !== deviceId) throw boundElsewhere(license.boundDeviceId ?? '');
    await this.record(actor, license, 'license.bound', { deviceId });
    return license;
  }

  /** Unbinds the licence: any device may use it again (the first to connect is not bound automatically). */
  async unbind(id: string, by: AdminActor | string): Promise<License> {
    const actor = asActor(by);
    const before = await this.get(id, actor);
    if (before.boundDeviceId === null) return before;
    const license = await this.changing(id, () => this.licenses.unbindDevice(id));
    await this.record(actor, license, 'license.unbound', { deviceId: before.boundDeviceId });
    return license;
  }

  /**
   * Runs a change to a licence, forgetting what this process holds of it before and after (a
   * validation meanwhile may have read the old row), then has its agents checked again at once
   * rather than when the database's notice comes back.
   */
  private async changing(id: string, change: () => Promise<License | undefined>): Promise<License> {
    const held = this.cache.hashesOf(id);
    this.cache.forget(id);
    const license = await change();
    this.cache.forget(id);
    if (!license) throw new GatewayError('LICENSE_NOT_FOUND');
    const hashes = new Set(held);
    if (license.previousKeyHash) hashes.add(license.previousKeyHash);
    // Agents of this licence are checked again now (all of them if none of its keys is known here).
    if (hashes.size === 0) this.cache.announce(undefined);
    for (const keyHash of hashes) this.cache.announce(keyHash);
    return license;
  }

  private record(
    actor: AdminActor,
    license: License,
    action: string,
    details?: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record({
      companyId: license.companyId,
      actor: actorName(actor),
      action,
      targetType: 'license',
      targetId: license.id,
      details: { branchId: license.branchId, ...details },
    });
  }
}

function asActor(by: AdminActor | string): AdminActor {
  return typeof by === 'string' ? operator(by) : by;
}

function boundElsewhere(deviceId: string): GatewayError {
  return new GatewayError('CONFLICT', {
    message: 'the licence is bound to another device; unbind it first',
    details: { boundDeviceId: deviceId },
  });
}
