import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Role } from '@printermaster/protocol';
import type { Clock } from './clock.js';
import { assertGrantable, type CredentialGrant, GRANTING_ROLES, grantWithCallerScope } from './credential-grant.js';
import { GatewayError } from './gateway-error.js';
import { DEFAULT_MEMORY_BOUNDS } from './memory-bounds.js';
import type { ApiKey, ApiKeyStore } from './ports/api-key-store.js';
import type { AuditLog } from './ports/audit-log.js';
import type { ChangeFeed } from './ports/change-feed.js';
import type { Logger } from './ports/logger.js';
import type { TenantStore } from './ports/tenant-store.js';
import { actorOf, canSee, listScope, originOf, requireRole, type UserPrincipal } from './principal.js';
import { runAsGateway } from './tenant-scope.js';

/** `pm_`, 8 hex characters (the visible prefix), `_`, 43 base64url characters (256 random bits). */
const KEY_SHAPE = /^pm_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/;
/** `last_used_at` is written at most this often per key and process, ms. */
const TOUCH_INTERVAL_MS = 60_000;

/** Whether `token` is shaped like an API key (`pm_…`), as opposed to a JWT. */
export function looksLikeApiKey(token: string): boolean {
  return token.startsWith('pm_');
}

export function hashApiKey(key: string): string {
  // 256 random bits: a plain hash makes a stolen table useless, and costs a microsecond per request.
  return createHash('sha256').update(key).digest('hex');
}

export interface CreateApiKeyInput extends Partial<CredentialGrant> {
  role: Role;
  name: string;
  /** `null` or absent: never expires. Must be in the future. */
  expiresAt?: Date | null;
}

export interface ApiKeyServiceDeps {
  apiKeys: ApiKeyStore;
  tenants: Pick<TenantStore, 'findCompany' | 'findBranch'>;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  /** With it, verified keys are kept in memory and dropped when the database announces a change. */
  changes?: ChangeFeed;
  /** Keys kept in memory at most; past it the memory starts over (PRINTERMASTER_API_KEY_CACHE_MAX). */
  maxCached?: number;
  /**
   * Throws `BRANCH_INACTIVE` when the company (and, for a branch key, the branch) a key belongs
   * to is deactivated: a deactivated tenant's keys are refused like its agents. Run in the
   * gateway's own tenant scope. Without it, keys are not checked against their tenant's status.
   */
  requireActiveTenant?: (companyId: string, branchId: string | null) => Promise<void>;
}

interface CachedKey {
  principal: UserPrincipal;
  expiresAt: number | undefined;
}

/**
 * API keys for POS servers and integrations: created (the key is shown once), listed, revoked,
 * and turned into the caller of a request. A key acts with its role within its company or branch.
 */
export class ApiKeyService {
  private readonly cache = new Map<string, CachedKey>();
  /** When this process last wrote `last_used_at`, by key id. */
  private readonly touchedAt = new Map<string, number>();
  /** Counts change notices: a read that began before one may hold what changed, and is not kept. */
  private notices = 0;
  private readonly listeners: ((apiKeyId: string | undefined) => void)[] = [];

  private readonly maxCached: number;

  constructor(private readonly deps: ApiKeyServiceDeps) {
    this.maxCached = deps.maxCached ?? DEFAULT_MEMORY_BOUNDS.apiKeyCache;
  }

  /** Starts hearing key changes; until the feed is live every request reads its key. */
  async start(): Promise<void> {
    await this.deps.changes?.start((keyHash) => {
      this.notices++;
      const apiKeyId = keyHash === undefined ? undefined : this.cache.get(keyHash)?.principal.apiKeyId;
      if (keyHash === undefined) this.cache.clear();
      else this.cache.delete(keyHash);
      for (const listener of this.listeners) listener(apiKeyId);
    });
  }

  /**
   * Calls `listener` after a key changed in the database (on any process): with its id when this
   * process had verified it, `undefined` when it may be any key. Open sockets check theirs again.
   */
  onKeyChange(listener: (apiKeyId: string | undefined) => void): void {
    this.listeners.push(listener);
  }

  /** Whether the key of `apiKeyId` may still be used now (not revoked, not expired, not deleted). */
  async stillValid(apiKeyId: string): Promise<boolean> {
    const apiKey = await runAsGateway(() => this.deps.apiKeys.findById(apiKeyId));
    if (!apiKey || apiKey.revokedAt) return false;
    return apiKey.expiresAt === null || apiKey.expiresAt.getTime() > this.deps.clock.now();
  }

  async stop(): Promise<void> {
    await this.deps.changes?.stop();
    this.cache.clear();
  }

  /**
   * Forgets every key verified so far (a company or branch was deactivated or activated, here or
   * on another process): each key's next use reads it, and its tenant's status, again.
   */
  forgetVerified(): void {
    this.notices++;
    this.cache.clear();
  }

  /** Creates a key; the returned `key` is not stored and cannot be shown again. */
  async create(caller: UserPrincipal, input: CreateApiKeyInput): Promise<{ apiKey: ApiKey; key: string }> {
    const grant = await grantWithCallerScope(caller, input, this.deps.tenants);
    await assertGrantable(caller, grant, this.deps.tenants);
    const name = input.name.trim();
    if (name.length === 0) throw new GatewayError('BAD_REQUEST', { message: 'name must not be blank' });
    if (input.expiresAt && input.expiresAt.getTime() <= this.deps.clock.now()) {
      throw new GatewayError('BAD_REQUEST', { message: 'expiresAt must be in the future' });
    }
    const prefix = `pm_${randomBytes(4).toString('hex')}`;
    const key = `${prefix}_${randomBytes(32).toString('base64url')}`;
    const apiKey = await this.deps.apiKeys.insert({
      id: randomUUID(),
      companyId: grant.companyId ?? null,
      branchId: grant.branchId ?? null,
      name,
      role: grant.role,
      prefix,
      keyHash: hashApiKey(key),
      expiresAt: input.expiresAt ?? null,
      createdBy: actorOf(caller),
    });
    await this.deps.audit.record({
      companyId: apiKey.companyId,
      actor: actorOf(caller),
      action: 'api_key.created',
      targetType: 'api_key',
      targetId: apiKey.id,
      details: { name, role: apiKey.role, prefix, branchId: apiKey.branchId, expiresAt: apiKey.expiresAt },
      ...originOf(caller),
    });
    return { apiKey, key };
  }

  /** The keys the caller may see, newest first; a filter outside its scope is `FORBIDDEN`. */
  async list(
    caller: UserPrincipal,
    filter: { companyId?: string; branchId?: string; includeRevoked?: boolean },
  ): Promise<ApiKey[]> {
    requireRole(caller, GRANTING_ROLES);
    const scope = listScope(caller, filter);
    return this.deps.apiKeys.list({ ...scope, includeRevoked: filter.includeRevoked ?? false });
  }

  /** The key, if the caller may see it; `API_KEY_NOT_FOUND` otherwise (no hint that it exists). */
  async get(caller: UserPrincipal, id: string): Promise<ApiKey> {
    requireRole(caller, GRANTING_ROLES);
    const apiKey = await this.deps.apiKeys.findById(id);
    if (!apiKey || !this.visible(caller, apiKey)) throw new GatewayError('API_KEY_NOT_FOUND');
    return apiKey;
  }

  /**
   * Revokes a key the caller may see and whose role is not above its own. Every process refuses
   * it as soon as the revocation commits (the database's change notice). Revoking twice is a no-op.
   */
  async revoke(caller: UserPrincipal, id: string): Promise<ApiKey> {
    const existing = await this.get(caller, id);
    await assertGrantable(caller, grantOf(existing), this.deps.tenants).catch((err: unknown) => {
      // A key of a tenant deleted meanwhile may still be revoked; only the role and scope matter here.
      if (err instanceof GatewayError && (err.code === 'COMPANY_NOT_FOUND' || err.code === 'BRANCH_NOT_FOUND')) return;
      throw err;
    });
    if (existing.revokedAt) return existing;
    const apiKey = await this.deps.apiKeys.revoke(id, new Date(this.deps.clock.now()));
    if (!apiKey) throw new GatewayError('API_KEY_NOT_FOUND');
    this.dropCachedId(id);
    await this.deps.audit.record({
      companyId: apiKey.companyId,
      actor: actorOf(caller),
      action: 'api_key.revoked',
      targetType: 'api_key',
      targetId: apiKey.id,
      details: { name: apiKey.name, prefix: apiKey.prefix },
      ...originOf(caller),
    });
    return apiKey;
  }

  /**
   * The caller a key stands for, from memory if verified before and not changed since;
   * `undefined` means call `authenticate`. Runs on every request, so it does not return a promise.
   */
  alreadyAuthenticated(key: string): UserPrincipal | undefined {
    if (!this.deps.changes?.live) return undefined;
    const cached = this.cache.get(hashApiKey(key));
    if (!cached) return undefined;
    if (cached.expiresAt !== undefined && cached.expiresAt <= this.deps.clock.now()) return undefined;
    this.touch(cached.principal.apiKeyId as string);
    return cached.principal;
  }

  /** The caller a key stands for; `AUTH_FAILED` for a malformed, unknown, revoked or expired key. */
  async authenticate(key: string): Promise<UserPrincipal> {
    const known = this.alreadyAuthenticated(key);
    if (known) return known;
    if (!KEY_SHAPE.test(key)) throw new GatewayError('AUTH_FAILED', { message: 'API key is not valid' });
    const keyHash = hashApiKey(key);
    const before = this.notices;
    // Before authentication the request sees no company's rows: the lookup is the gateway's own.
    const found = await runAsGateway(() => this.deps.apiKeys.findByHash(keyHash));
    if (!found) throw new GatewayError('AUTH_FAILED', { message: 'API key is not valid' });
    const { apiKey } = found;
    if (apiKey.revokedAt) throw new GatewayError('AUTH_FAILED', { message: 'API key has been revoked' });
    const expiresAt = apiKey.expiresAt?.getTime();
    if (expiresAt !== undefined && expiresAt <= this.deps.clock.now()) {
      throw new GatewayError('AUTH_FAILED', { message: 'API key has expired' });
    }
    const { companyId } = apiKey;
    const active = this.deps.requireActiveTenant;
    if (companyId !== null && active) await runAsGateway(() => active(companyId, apiKey.branchId));
    const principal: UserPrincipal = Object.freeze({
      kind: 'user',
      userId: `apikey:${apiKey.id}`,
      role: apiKey.role,
      ...(apiKey.companyId === null ? {} : { companyId: apiKey.companyId }),
      ...(apiKey.branchId === null ? {} : { branchId: apiKey.branchId }),
      ...(expiresAt === undefined ? {} : { expiresAt }),
      apiKeyId: apiKey.id,
    });
    // Kept only if no change was announced while it was read: it could be the old row.
    if (this.deps.changes?.live && this.notices === before) {
      if (this.cache.size >= this.maxCached) this.cache.clear();
      this.cache.set(keyHash, { principal, expiresAt });
    }
    this.touch(apiKey.id);
    return principal;
  }

  /** Platform keys are a super admin's; a branch manager sees its branch's keys, not its company's. */
  private visible(caller: UserPrincipal, apiKey: ApiKey): boolean {
    if (apiKey.companyId === null) return caller.role === 'super_admin';
    return canSee(caller, apiKey.companyId, apiKey.branchId ?? undefined);
  }

  private dropCachedId(id: string): void {
    for (const [hash, cached] of this.cache) if (cached.principal.apiKeyId === id) this.cache.delete(hash);
  }

  /** Records the use off the request's path, at most once a minute per key. */
  private touch(id: string): void {
    const now = this.deps.clock.now();
    if (now - (this.touchedAt.get(id) ?? Number.NEGATIVE_INFINITY) < TOUCH_INTERVAL_MS) return;
    this.touchedAt.set(id, now);
    if (this.touchedAt.size > this.maxCached) this.touchedAt.clear();
    void runAsGateway(() => this.deps.apiKeys.touch(id, new Date(now))).catch((err: unknown) =>
      this.deps.logger.warn({ err, apiKeyId: id }, 'recording an API key use failed'),
    );
  }
}

function grantOf(apiKey: ApiKey): CredentialGrant {
  return {
    role: apiKey.role,
    ...(apiKey.companyId === null ? {} : { companyId: apiKey.companyId }),
    ...(apiKey.branchId === null ? {} : { branchId: apiKey.branchId }),
  };
}
