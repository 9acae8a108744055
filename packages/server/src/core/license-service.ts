import { createHash, randomUUID } from 'node:crypto';
import type { AgentAuth } from '@printermaster/protocol';
import type { Clock } from './clock.js';
import { GatewayError } from './gateway-error.js';
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
/** Licences kept in memory at most (about 1 KB each); past it the memory starts over. */
const MAX_CACHED_LICENCES = 100_000;

/** Licence keys for agents: issued once (the key is shown only then), validated, revoked. */
export class LicenseService {
  private readonly tenantCache = new Map<string, { branch: Branch; company: Company; at: number }>();
  private readonly tenantLoads = new Map<
    string,
    Promise<{ branch: Branch | undefined; company: Company | undefined }>
  >();
  /** When this process last wrote `last_validated_at`, by licence id (the row read may predate it). */
  private readonly touchedAt = new Map<string, number>();
  /** Licences in memory by key hash, trusted only while the change feed is live. */
  private readonly byHash = new Map<string, License>();
  private readonly hashById = new Map<string, string>();
  /** Counts change notices: a read that began before one may hold what changed, and is not kept. */
  private notices = 0;
  /** Key hashes changed while a load of every licence runs (`undefined` in it: something was missed). */
  private changedDuringLoad: Set<string | undefined> | undefined;
  private loading: Promise<void> | undefined;

  /**
   * With `changes`, validated licences are kept in memory and dropped as soon as the
   * database announces a change to them, so that a reconnect storm reads no licence rows
   * while a revoked key is still refused at its next handshake. Without it (the admin CLI),
   * every validation reads the row.
   */
  constructor(
    private readonly licenses: LicenseStore,
    private readonly tenants: TenantStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly changes?: LicenseChangeFeed,
  ) {}

  /**
   * Starts hearing licence changes and loads the licences into memory (the most recently
   * used first, at most 100,000), so that the first handshakes after a restart read nothing.
   * If the feed cannot listen yet, licences are read on every handshake until it can.
   */
  async startCache(): Promise<void> {
    if (!this.changes) return;
    await this.changes.start((keyHash) => this.changed(keyHash));
    if (this.changes.live) await this.load();
  }

  /** Stops hearing changes; from then on every validation reads its licence. */
  async stopCache(): Promise<void> {
    await this.changes?.stop();
    this.byHash.clear();
    this.hashById.clear();
  }

  private changed(keyHash: string | undefined): void {
    this.notices += 1;
    this.changedDuringLoad?.add(keyHash);
    if (keyHash === undefined) {
      // The feed lost its connection and is back: anything may have changed meanwhile.
      this.byHash.clear();
      this.hashById.clear();
      void this.load().catch(() => {});
      return;
    }
    const license = this.byHash.get(keyHash);
    if (license) this.hashById.delete(license.id);
    this.byHash.delete(keyHash);
  }

  /** Loads every licence into memory (one load at a time); what changed meanwhile is left out. */
  private load(): Promise<void> {
    this.loading ??= (async () => {
      const changed = new Set<string | undefined>();
      this.changedDuringLoad = changed;
      try {
        const rows = await this.licenses.listWithKeyHashes(MAX_CACHED_LICENCES);
        if (changed.has(undefined) || !this.changes?.live) return;
        for (const { keyHash, license } of rows) if (!changed.has(keyHash)) this.remember(keyHash, license);
      } finally {
        this.changedDuringLoad = undefined;
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  private remember(keyHash: string, license: License): void {
    if (this.byHash.size >= MAX_CACHED_LICENCES) {
      this.byHash.clear();
      this.hashById.clear();
    }
    this.byHash.set(keyHash, license);
    this.hashById.set(license.id, keyHash);
  }

  private forgetId(id: string): void {
    const keyHash = this.hashById.get(id);
    if (keyHash === undefined) return;
    this.hashById.delete(id);
    this.byHash.delete(keyHash);
  }

  /** The licence of a key hash: from memory while the feed is live, else (and then kept) from the store. */
  private async findLicense(keyHash: string): Promise<License | undefined> {
    if (this.changes?.live) {
      const cached = this.byHash.get(keyHash);
      if (cached) return cached;
    }
    const before = this.notices;
    const license = await this.licenses.findByKeyHash(keyHash);
    // Kept only if no change was announced while it was read: it could be the old row.
    if (license && this.changes?.live && this.notices === before) {
      this.remember(keyHash, license);
    }
    return license;
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
  async validate(key: string, deviceId?: string): Promise<ValidatedLicense> {
    const license = await this.findLicense(hashLicenseKey(key));
    if (!license) throw new GatewayError('AUTH_FAILED', { message: 'licence key is not known' });
    let status = license.status;
    if (status === 'active' && license.expiresAt && license.expiresAt.getTime() <= this.clock.now()) {
      this.forgetId(license.id);
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
    this.forgetId(id);
    const license = await this.licenses.setStatus(id, status);
    this.forgetId(id);
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
