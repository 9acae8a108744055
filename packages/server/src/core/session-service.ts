import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import { assertGrantable, type CredentialGrant, grantWithCallerScope } from './credential-grant.js';
import { GatewayError } from './gateway-error.js';
import { DEFAULT_MEMORY_BOUNDS } from './memory-bounds.js';
import type { AuditLog, RequestOrigin } from './ports/audit-log.js';
import type { ChangeFeed } from './ports/change-feed.js';
import type { Logger } from './ports/logger.js';
import type { RefreshToken, RefreshTokenStore } from './ports/refresh-token-store.js';
import type { TenantStore } from './ports/tenant-store.js';
import { actorOf, type UserPrincipal } from './principal.js';
import { SessionRevocations } from './session-revocations.js';
import { runAsGateway } from './tenant-scope.js';

/** Refresh tokens: `pmr_` and 43 base64url characters (256 random bits). */
const REFRESH_SHAPE = /^pmr_[A-Za-z0-9_-]{43}$/;

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The user a session is for: who, and the role and scope its access tokens carry. */
export interface SessionUser extends CredentialGrant {
  sub: string;
  email?: string;
}

/** A session's refresh token, as handed out (the token itself is not stored). */
export interface IssuedRefresh {
  familyId: string;
  user: SessionUser;
  refreshToken: string;
  /** Unix ms. */
  refreshExpiresAt: number;
}

export interface SessionServiceDeps {
  refreshTokens: RefreshTokenStore;
  tenants: Pick<TenantStore, 'findCompany' | 'findBranch'>;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  settings: {
    /** Lifetime of each refresh token, ms; rotation gives the new one a full lifetime. */
    refreshTtlMs: number;
    /** The longest an access token lives, ms: how long a revoked session is remembered. */
    accessTtlMs: number;
    /** Revoked sessions remembered at most; past it the store is asked (PRINTERMASTER_REVOKED_SESSIONS_MAX). */
    maxRevoked?: number;
  };
  /** Revocations other processes commit (the refresh_tokens trigger); without it, this process's only. */
  changes?: ChangeFeed;
}

/**
 * Web users' sessions: a sign-in is a family of refresh tokens, each used once to get the next
 * pair. Using one a second time means it was copied: the whole family is revoked, and with it
 * (through `revocations`) every access token of the session on every process.
 */
export class SessionService {
  readonly revocations: SessionRevocations;

  constructor(private readonly deps: SessionServiceDeps) {
    this.revocations = new SessionRevocations({
      now: () => deps.clock.now(),
      // A little over an access token's lifetime: tokens minted just before the revocation.
      keepMs: deps.settings.accessTtlMs + 60_000,
      maxEntries: deps.settings.maxRevoked ?? DEFAULT_MEMORY_BOUNDS.revokedSessions,
    });
  }

  /** Lifetime of the session's access tokens, s. */
  get accessTtlS(): number {
    return Math.floor(this.deps.settings.accessTtlMs / 1000);
  }

  /** Starts hearing revocations; after a gap in the notices, reads the ones that went unheard. */
  async start(): Promise<void> {
    await this.deps.changes?.start((familyId) => {
      if (familyId !== undefined) this.revocations.add(familyId);
      else void this.catchUp();
    });
  }

  async stop(): Promise<void> {
    await this.deps.changes?.stop();
  }

  /**
   * Starts a session for `user`, whom `caller` may hand it to (credential-grant.ts). `firstTtlMs`
   * shortens the life of the first refresh token only: a dashboard's login link is that token,
   * spent by its first exchange (docs/dashboard.md).
   */
  async begin(
    caller: UserPrincipal,
    requested: SessionUser,
    origin: RequestOrigin = {},
    firstTtlMs?: number,
  ): Promise<IssuedRefresh> {
    const user = await grantWithCallerScope(caller, requested, this.deps.tenants);
    await assertGrantable(caller, user, this.deps.tenants);
    const issued = await this.issue(randomUUID(), user, firstTtlMs);
    await this.deps.audit.record({
      companyId: user.companyId ?? null,
      actor: actorOf(caller),
      action: 'session.started',
      targetType: 'session',
      targetId: issued.familyId,
      details: { userId: user.sub, role: user.role, branchId: user.branchId ?? null },
      ...origin,
    });
    return issued;
  }

  /**
   * Exchanges a refresh token for the next one of its session. A token used before revokes the
   * session (reuse: it was copied) and is refused; so is an unknown, revoked or expired one.
   */
  async refresh(refreshToken: string, origin: RequestOrigin = {}): Promise<IssuedRefresh> {
    if (!REFRESH_SHAPE.test(refreshToken)) throw refused();
    const now = this.deps.clock.now();
    return runAsGateway(async () => {
      const row = await this.deps.refreshTokens.findByHash(hashRefreshToken(refreshToken));
      if (!row || row.revokedAt) throw refused();
      // A used token is a reuse even once expired: whoever holds it copied it.
      if (row.usedAt) {
        await this.reused(row, origin);
        throw refused();
      }
      if (row.expiresAt.getTime() <= now) {
        throw new GatewayError('AUTH_FAILED', { message: 'refresh token has expired' });
      }
      const next = this.next(row.familyId, userOf(row));
      if (!(await this.deps.refreshTokens.exchange(row.id, new Date(now), next.row))) {
        await this.reused(row, origin);
        throw refused();
      }
      await this.deps.audit.record({ ...this.sessionEntry(row, 'session.refreshed'), ...origin });
      return next.issued;
    });
  }

  /** Ends the session of the caller's access token: its refresh tokens and access tokens stop working. */
  async logout(caller: UserPrincipal, origin: RequestOrigin = {}): Promise<void> {
    if (caller.sessionId === undefined) {
      throw new GatewayError('BAD_REQUEST', { message: 'this credential is not a session (POST /auth/sessions)' });
    }
    await this.revokeFamily(caller.sessionId, 'logout');
    await this.deps.audit.record({
      companyId: caller.companyId ?? null,
      actor: actorOf(caller),
      action: 'session.logged_out',
      targetType: 'session',
      targetId: caller.sessionId,
      ...origin,
    });
  }

  /** Whether the session of an access token (its `sid`) was revoked, as this process has heard. Synchronous: it runs per request. */
  isRevoked(familyId: string): boolean {
    return this.revocations.isRevoked(familyId);
  }

  /**
   * Whether what this process has heard of revocations is complete: false while the notices are
   * lost, or while revocations it had to forget for room may still matter (a mass logout), when
   * `isRevokedNow` must ask the store instead.
   */
  hearsRevocations(): boolean {
    return (this.deps.changes === undefined || this.deps.changes.live) && this.revocations.complete;
  }

  /** Whether the session was revoked, from the store when the notices are lost. */
  async isRevokedNow(familyId: string): Promise<boolean> {
    if (this.revocations.isRevoked(familyId)) return true;
    if (this.hearsRevocations()) return false;
    const revoked = await runAsGateway(() => this.deps.refreshTokens.isFamilyRevoked(familyId));
    if (revoked) this.revocations.add(familyId);
    return revoked;
  }

  /** Deletes refresh tokens expired for a day (housekeeping); how many. */
  sweepExpired(): Promise<number> {
    return runAsGateway(() => this.deps.refreshTokens.deleteExpired(new Date(this.deps.clock.now() - 86_400_000)));
  }

  private async issue(familyId: string, user: SessionUser, ttlMs?: number): Promise<IssuedRefresh> {
    const { row, issued } = this.next(familyId, user, ttlMs);
    await this.deps.refreshTokens.insert(row);
    return issued;
  }

  /** A new refresh token of the family: its row to store and what the caller is given. */
  private next(familyId: string, user: SessionUser, ttlMs = this.deps.settings.refreshTtlMs) {
    const refreshToken = `pmr_${randomBytes(32).toString('base64url')}`;
    const refreshExpiresAt = this.deps.clock.now() + ttlMs;
    const row = {
      id: randomUUID(),
      familyId,
      tokenHash: hashRefreshToken(refreshToken),
      userId: user.sub,
      email: user.email ?? null,
      role: user.role,
      companyId: user.companyId ?? null,
      branchId: user.branchId ?? null,
      expiresAt: new Date(refreshExpiresAt),
    };
    const issued: IssuedRefresh = { familyId, user, refreshToken, refreshExpiresAt };
    return { row, issued };
  }

  private async reused(row: RefreshToken, origin: RequestOrigin): Promise<void> {
    this.deps.logger.warn(
      { sessionId: row.familyId, userId: row.userId, companyId: row.companyId },
      'refresh token used twice; its session is revoked',
    );
    await this.revokeFamily(row.familyId, 'reuse');
    await this.deps.audit.record({ ...this.sessionEntry(row, 'session.refresh_reused'), ...origin });
  }

  private sessionEntry(row: RefreshToken, action: string) {
    return {
      companyId: row.companyId,
      actor: `user:${row.userId}`,
      action,
      targetType: 'session',
      targetId: row.familyId,
    };
  }

  private async revokeFamily(familyId: string, reason: string): Promise<void> {
    // This process refuses the session at once; the others when the trigger's notice arrives.
    this.revocations.add(familyId);
    await this.deps.refreshTokens.revokeFamily(familyId, new Date(this.deps.clock.now()), reason);
  }

  private async catchUp(): Promise<void> {
    try {
      const since = new Date(this.deps.clock.now() - this.deps.settings.accessTtlMs - 60_000);
      const families = await runAsGateway(() => this.deps.refreshTokens.revokedFamiliesSince(since));
      for (const familyId of families) this.revocations.add(familyId);
    } catch (err) {
      this.deps.logger.error({ err }, 'reading the sessions revoked while notices were lost failed');
    }
  }
}

function refused(): GatewayError {
  return new GatewayError('AUTH_FAILED', { message: 'refresh token is not valid' });
}

function userOf(row: RefreshToken): SessionUser {
  return {
    sub: row.userId,
    role: row.role,
    ...(row.email === null ? {} : { email: row.email }),
    ...(row.companyId === null ? {} : { companyId: row.companyId }),
    ...(row.branchId === null ? {} : { branchId: row.branchId }),
  };
}
