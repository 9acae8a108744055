import { randomUUID } from 'node:crypto';
import {
  ADMIN_ROLES,
  type AdminActor,
  actorCanSee,
  actorName,
  actorOrigin,
  operator,
  requireActorRole,
} from './admin-actor.js';
import type { Clock } from './clock.js';
import { GatewayError } from './gateway-error.js';
import type { LicenseCache } from './license-cache.js';
import { hashLicenseKey } from './license-key.js';
import type { AuditLog } from './ports/audit-log.js';
import type { LicenceChange, License, LicenseStatus, LicenseStore } from './ports/license-store.js';
import type { TenantCache } from './tenant-cache.js';

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

/** What a licence allows when the issuer names nothing. */
export const DEFAULT_LICENCE_FEATURES = ['printing', 'printer-test', 'health-monitoring'] as const;
/**
 * A feature name: lower case, digits, and `-`, `_`, `.` or `:` inside. The gateway carries features
 * to the agent and the platform (`/printer-licenses/validate`) without interpreting them, so a
 * platform may add its own; the shape keeps them greppable and free of spaces and markup.
 */
const FEATURE_NAME = /^[a-z0-9](?:[a-z0-9._:-]{0,62}[a-z0-9])?$/;

function checkedFeatures(features: readonly string[]): string[] {
  const bad = features.findIndex((f) => !FEATURE_NAME.test(f));
  if (bad >= 0) {
    throw new GatewayError('BAD_REQUEST', {
      message: `features[${bad}] "${String(features[bad]).slice(0, 64)}" is not a feature name (lower-case letters, digits, - _ . :)`,
      details: { path: `body/features/${bad}` },
    });
  }
  return [...new Set(features)];
}

const CHANGE_OF_STATUS: Record<LicenseStatus, LicenceChange> = {
  active: 'activated',
  suspended: 'suspended',
  revoked: 'revoked',
  expired: 'expired',
};

export interface LicenceAdministrationDeps {
  licenses: LicenseStore;
  audit: AuditLog;
  clock: Clock;
  /** Branches and companies, shared with validation. */
  tenantCache: TenantCache;
  /** The licences validation keeps in memory: a change forgets its licence and has its agents checked again. */
  cache: LicenseCache;
}

/**
 * What operators and the admin API do to licences (docs/admin-api.md#licences): issue (the key
 * is shown only then), list, get, revoke, suspend, activate, rotate (the replaced key stays valid
 * for a grace period), bind to a device and unbind. Every change is audited and written to the
 * event outbox as `licence.<change>` in its own transaction (LicenseStore).
 *
 * Each method takes who acts: a web user may act on the licences of the branches it can see
 * (roles `super_admin`, `company_owner`, `branch_manager`; cashiers none), and a licence outside
 * its scope is `LICENSE_NOT_FOUND`; an operator (the CLI) may act on any.
 */
export class LicenceAdministration {
  constructor(private readonly deps: LicenceAdministrationDeps) {}

  /** Issues a new licence; the returned `key` is not stored and cannot be shown again. */
  async issue(input: IssueLicenseInput): Promise<{ license: License; key: string }> {
    const actor = asActor(input.actor);
    requireActorRole(actor, ADMIN_ROLES);
    const { branch } = await this.deps.tenantCache.get(input.branchId);
    if (!branch || !actorCanSee(actor, branch.companyId, branch.id)) throw new GatewayError('BRANCH_NOT_FOUND');
    if (input.companyId !== undefined && branch.companyId !== input.companyId)
      throw new GatewayError('BRANCH_NOT_FOUND');
    // A licence born expired is a typo (a year, a time zone), never what the operator meant.
    if (input.expiresAt && input.expiresAt.getTime() <= this.deps.clock.now()) {
      throw new GatewayError('BAD_REQUEST', {
        message: 'expiresAt must be in the future',
        details: { path: 'body/expiresAt' },
      });
    }
    const features = input.features && checkedFeatures(input.features);
    const key = randomUUID();
    const license = await this.deps.licenses.insert({
      id: randomUUID(),
      companyId: branch.companyId,
      branchId: input.branchId,
      keyHash: hashLicenseKey(key),
      keyHint: key.slice(-4),
      status: 'active',
      expiresAt: input.expiresAt ?? null,
      boundDeviceId: input.boundDeviceId ?? null,
      maxPrinters: input.maxPrinters ?? 10,
      features: features ?? [...DEFAULT_LICENCE_FEATURES],
    });
    await this.record(actor, license, 'license.issued', { branchId: input.branchId, keyHint: license.keyHint });
    return { license, key };
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
    if (actor.kind === 'operator' || actor.role === 'super_admin') return this.deps.licenses.list(filter);
    if (filter.companyId && filter.companyId !== actor.companyId) {
      throw new GatewayError('FORBIDDEN', { message: 'that company is outside your scope' });
    }
    if (actor.role === 'company_owner') return this.deps.licenses.list({ ...filter, companyId: actor.companyId });
    if (filter.branchId && filter.branchId !== actor.branchId) {
      throw new GatewayError('FORBIDDEN', { message: 'that branch is outside your scope' });
    }
    return this.deps.licenses.list({ companyId: actor.companyId, branchId: actor.branchId });
  }

  /** The licence if `by` may see it; `LICENSE_NOT_FOUND` otherwise. */
  async get(id: string, by: AdminActor | string): Promise<License> {
    const actor = asActor(by);
    requireActorRole(actor, ADMIN_ROLES);
    const license = await this.deps.licenses.findById(id);
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
    const license = await this.changing(id, () => this.deps.licenses.setStatus(id, status, CHANGE_OF_STATUS[status]));
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
    const previousKeyValidUntil = graceMs > 0 ? new Date(this.deps.clock.now() + graceMs) : null;
    const license = await this.changing(id, () =>
      this.deps.licenses.rotateKey(id, { keyHash: hashLicenseKey(key), keyHint: key.slice(-4), previousKeyValidUntil }),
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
    const license = await this.changing(id, () => this.deps.licenses.bindDevice(id, deviceId, 'bound'));
    if (license.boundDeviceId !== deviceId) throw boundElsewhere(license.boundDeviceId ?? '');
    await this.record(actor, license, 'license.bound', { deviceId });
    return license;
  }

  /** Unbinds the licence: any device may use it again (the first to connect is not bound automatically). */
  async unbind(id: string, by: AdminActor | string): Promise<License> {
    const actor = asActor(by);
    const before = await this.get(id, actor);
    if (before.boundDeviceId === null) return before;
    const license = await this.changing(id, () => this.deps.licenses.unbindDevice(id));
    await this.record(actor, license, 'license.unbound', { deviceId: before.boundDeviceId });
    return license;
  }

  /**
   * Runs a change to a licence, forgetting what this process holds of it before and after (a
   * validation meanwhile may have read the old row), then has its agents checked again at once
   * rather than when the database's notice comes back.
   */
  private async changing(id: string, change: () => Promise<License | undefined>): Promise<License> {
    const held = this.deps.cache.hashesOf(id);
    this.deps.cache.forget(id);
    const license = await change();
    this.deps.cache.forget(id);
    if (!license) throw new GatewayError('LICENSE_NOT_FOUND');
    const hashes = new Set(held);
    if (license.previousKeyHash) hashes.add(license.previousKeyHash);
    // Agents of this licence are checked again now (all of them if none of its keys is known here).
    if (hashes.size === 0) this.deps.cache.announce(undefined);
    for (const keyHash of hashes) this.deps.cache.announce(keyHash);
    return license;
  }

  private record(
    actor: AdminActor,
    license: License,
    action: string,
    details?: Record<string, unknown>,
  ): Promise<void> {
    return this.deps.audit.record({
      companyId: license.companyId,
      actor: actorName(actor),
      action,
      targetType: 'license',
      targetId: license.id,
      details: { branchId: license.branchId, ...details },
      ...actorOrigin(actor),
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
