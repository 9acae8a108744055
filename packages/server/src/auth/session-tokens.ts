import type { CredentialConfig } from '../config/credential-settings.js';
import type { Clock } from '../core/clock.js';
import type { RequestOrigin } from '../core/ports/audit-log.js';
import type { Logger } from '../core/ports/logger.js';
import type { Stores } from '../core/ports/stores.js';
import type { UserPrincipal } from '../core/principal.js';
import { type IssuedRefresh, SessionService, type SessionUser } from '../core/session-service.js';
import type { JwtService } from './jwt-service.js';

/** What a sign-in or a refresh hands out: a short access token and the refresh token to get the next. */
export interface SessionPair {
  accessToken: string;
  /** ISO 8601. */
  accessTokenExpiresAt: string;
  refreshToken: string;
  /** ISO 8601. */
  refreshTokenExpiresAt: string;
  /** The session (`sid` of the access tokens). */
  sessionId: string;
}

/** Pairs of tokens for web users' sessions: the core's refresh tokens, with an access token signed for each. */
export class SessionTokens {
  constructor(private readonly deps: { sessions: SessionService; jwt: JwtService; accessTtlS: number }) {}

  /** A new session for `user`, handed out by `caller` (credential-grant.ts). */
  async begin(caller: UserPrincipal, user: SessionUser, origin: RequestOrigin = {}): Promise<SessionPair> {
    return this.pair(await this.deps.sessions.begin(caller, user, origin));
  }

  /**
   * A one-time sign-in code for the dashboard's login link: the first refresh token of a new
   * session for `user`, living `ttlMs` only. `POST /auth/web/login` exchanges it for the session's
   * cookies, which spends it; a second use revokes the session, as any reused refresh token does.
   */
  async loginCode(
    caller: UserPrincipal,
    user: SessionUser,
    ttlMs: number,
  ): Promise<{ code: string; expiresAt: string; sessionId: string }> {
    const issued = await this.deps.sessions.begin(caller, user, {}, ttlMs);
    return {
      code: issued.refreshToken,
      expiresAt: new Date(issued.refreshExpiresAt).toISOString(),
      sessionId: issued.familyId,
    };
  }

  /** The next pair of a session, for its current refresh token (used once; reuse revokes the session). */
  async refresh(refreshToken: string, origin: RequestOrigin = {}): Promise<SessionPair> {
    return this.pair(await this.deps.sessions.refresh(refreshToken, origin));
  }

  private async pair(issued: IssuedRefresh): Promise<SessionPair> {
    const { user, familyId } = issued;
    const access = await this.deps.jwt.signFor(
      {
        sub: user.sub,
        role: user.role,
        sid: familyId,
        ...(user.email === undefined ? {} : { email: user.email }),
        ...(user.companyId === undefined ? {} : { companyId: user.companyId }),
        ...(user.branchId === undefined ? {} : { branchId: user.branchId }),
      },
      this.deps.accessTtlS,
    );
    return {
      accessToken: access.token,
      accessTokenExpiresAt: new Date(access.expiresAt).toISOString(),
      refreshToken: issued.refreshToken,
      refreshTokenExpiresAt: new Date(issued.refreshExpiresAt).toISOString(),
      sessionId: familyId,
    };
  }
}

/**
 * Session tokens for the admin CLI run without a gateway (the store not in use): the revocations
 * it makes are heard by gateways through the database's notices, as any other.
 */
export function sessionTokensFor(deps: {
  config: { credentials: CredentialConfig };
  stores: Stores;
  jwt: JwtService;
  clock: Clock;
  logger: Logger;
}): SessionTokens {
  const { accessTtlS, refreshTtlS } = deps.config.credentials;
  const sessions = new SessionService({
    ...deps.stores,
    clock: deps.clock,
    logger: deps.logger,
    settings: { accessTtlMs: accessTtlS * 1000, refreshTtlMs: refreshTtlS * 1000 },
  });
  return new SessionTokens({ sessions, jwt: deps.jwt, accessTtlS });
}
