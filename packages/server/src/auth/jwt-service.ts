import { randomUUID } from 'node:crypto';
import { isRole, type Role } from '@printermaster/protocol';
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import type { ApiKeyService } from '../core/api-key-service.js';
import { looksLikeApiKey } from '../core/api-key-service.js';
import { GatewayError } from '../core/gateway-error.js';
import { DEFAULT_MEMORY_BOUNDS } from '../core/memory-bounds.js';
import type { UserPrincipal } from '../core/principal.js';
import type { SessionService } from '../core/session-service.js';
import type { TrustedJwtVerifier } from './trusted-jwt-verifier.js';

export interface TokenClaims {
  sub: string;
  email?: string;
  role: Role;
  companyId?: string;
  branchId?: string;
  /** The session (refresh token family) of an access token; logout refuses every token with it. */
  sid?: string;
}

/** The other credentials a request may carry besides the gateway's own JWTs (docs/credentials.md). */
export interface OtherCredentials {
  /** `pm_…` API keys. */
  apiKeys?: Pick<ApiKeyService, 'alreadyAuthenticated' | 'authenticate'>;
  /** Revoked sessions: access tokens whose `sid` is revoked are refused. */
  sessions?: Pick<SessionService, 'isRevoked' | 'hearsRevocations' | 'isRevokedNow'>;
  /** A platform's own JWTs, by their (asymmetric) algorithm. */
  trusted?: TrustedJwtVerifier;
}

/**
 * The credentials of web users and POS servers: HS256 JWTs the gateway signs (scope — company,
 * branch, role — in the claims), and, when given, API keys, a platform's own JWTs and the
 * revocation of sessions. Every REST route and the web socket authenticate through it.
 */
export class JwtService {
  /** A promise: a gateway taking the embedded store over builds its HTTP edge before it can read the store's secret. */
  private readonly key: Promise<Uint8Array>;
  /**
   * Tokens already verified, until they expire (at most 5 min): a dashboard or POS sends the
   * same token with every request, and WebCrypto's HMAC costs more than the rest of a
   * printer test. Bounded; a token is only ever trusted until its own `exp`.
   */
  private readonly verified = new Map<string, { principal: UserPrincipal; until: number }>();

  constructor(
    secret: string | Promise<string>,
    private readonly defaultExpiresIn: string,
    private readonly others: OtherCredentials = {},
    /** Verified tokens remembered at most; past it the memory starts over (PRINTERMASTER_TOKEN_CACHE_MAX). */
    private readonly maxVerified = DEFAULT_MEMORY_BOUNDS.tokenCache,
  ) {
    this.key = Promise.resolve(secret).then((s) => new TextEncoder().encode(s));
    // Whoever gave a secret that failed reports it; a token signed or checked with it fails too.
    this.key.catch(() => {});
  }

  /** Signs a token that expires `ttlS` seconds from now, and says when (Unix ms). */
  async signFor(claims: TokenClaims, ttlS: number): Promise<{ token: string; expiresAt: number }> {
    const exp = Math.floor(Date.now() / 1000) + ttlS;
    return { token: await this.sign(claims, { until: exp }), expiresAt: exp * 1000 };
  }

  /** `expiresIn`: a duration (`3600`, `15m`, `1d`) or `{ until }`, Unix seconds. */
  async sign(claims: TokenClaims, expiresIn: string | { until: number } = this.defaultExpiresIn): Promise<string> {
    assertScope(claims);
    const { sub, ...rest } = claims;
    const exp =
      typeof expiresIn !== 'string'
        ? expiresIn.until
        : /^\d+$/.test(expiresIn)
          ? Math.floor(Date.now() / 1000) + Number(expiresIn)
          : expiresIn;
    // The jti makes each token its own: a refresh within the same second would otherwise hand
    // back the very token it replaces (iat and exp are whole seconds), which confuses clients.
    return new SignJWT({ ...rest })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(sub)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(await this.key);
  }

  /** The user behind a token verified before and not yet expired; `undefined` means call `verify`. */
  alreadyVerified(token: string): UserPrincipal | undefined {
    if (looksLikeApiKey(token)) return this.others.apiKeys?.alreadyAuthenticated(token);
    const cached = this.verified.get(token);
    if (!cached) return undefined;
    if (Date.now() < cached.until && !this.revoked(cached.principal)) {
      // While revocations go unheard, a session's token is checked in the store on every use.
      const unsure = cached.principal.sessionId !== undefined && this.others.sessions?.hearsRevocations() === false;
      return unsure ? undefined : cached.principal;
    }
    this.verified.delete(token);
    return undefined;
  }

  /** Whether the user's session was revoked (logout, refresh token reuse), as this process has heard. */
  revoked(user: UserPrincipal): boolean {
    return user.sessionId !== undefined && (this.others.sessions?.isRevoked(user.sessionId) ?? false);
  }

  /** The user behind `token`; `AUTH_FAILED` for anything invalid, expired, without `exp` or out of shape. */
  async verify(token: string): Promise<UserPrincipal> {
    const cached = this.alreadyVerified(token);
    if (cached) return cached;
    if (looksLikeApiKey(token)) {
      if (!this.others.apiKeys) throw new GatewayError('AUTH_FAILED', { message: 'API keys are not accepted here' });
      return this.others.apiKeys.authenticate(token);
    }
    const principal = (await this.trustedAlgorithm(token))
      ? await (this.others.trusted as TrustedJwtVerifier).verify(token)
      : await this.verifyOwn(token);
    const ended = principal.sessionId !== undefined && (await this.others.sessions?.isRevokedNow(principal.sessionId));
    if (ended) throw new GatewayError('AUTH_FAILED', { message: 'session has ended; sign in again' });
    const until = Math.min(principal.expiresAt ?? 0, Date.now() + 300_000);
    if (until > Date.now()) {
      if (this.verified.size >= this.maxVerified) this.verified.clear();
      this.verified.set(token, { principal: Object.freeze(principal), until });
    }
    return principal;
  }

  /** Whether a trusted platform signed the token (by its header's algorithm): not one of ours. */
  private async trustedAlgorithm(token: string): Promise<boolean> {
    if (!this.others.trusted) return false;
    try {
      return this.others.trusted.accepts(decodeProtectedHeader(token).alg);
    } catch {
      return false;
    }
  }

  private async verifyOwn(token: string): Promise<UserPrincipal> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, await this.key, { algorithms: ['HS256'] }));
    } catch (err) {
      const reason = err instanceof errors.JWTExpired ? 'token has expired' : 'token is not valid';
      throw new GatewayError('AUTH_FAILED', { message: reason });
    }
    const { sub, email, role, companyId, branchId, exp, sid } = payload;
    // A token without an expiry would be valid forever, and could never be taken back.
    if (typeof exp !== 'number') throw new GatewayError('AUTH_FAILED', { message: 'token has no expiry (exp)' });
    if (typeof sub !== 'string' || !isRole(role)) {
      throw new GatewayError('AUTH_FAILED', { message: 'token lacks a subject or a known role' });
    }
    const claims: TokenClaims = {
      sub,
      role,
      ...(typeof email === 'string' ? { email } : {}),
      ...(typeof companyId === 'string' ? { companyId } : {}),
      ...(typeof branchId === 'string' ? { branchId } : {}),
    };
    try {
      assertScope(claims);
    } catch {
      throw new GatewayError('AUTH_FAILED', { message: 'token scope does not fit its role' });
    }
    return {
      kind: 'user',
      userId: sub,
      role,
      email: claims.email,
      companyId: claims.companyId,
      branchId: claims.branchId,
      expiresAt: exp * 1000,
      ...(typeof sid === 'string' ? { sessionId: sid } : {}),
    };
  }
}

function assertScope(c: TokenClaims): void {
  if (c.role !== 'super_admin' && !c.companyId) {
    throw new GatewayError('BAD_REQUEST', { message: `role ${c.role} needs a companyId` });
  }
  if ((c.role === 'branch_manager' || c.role === 'cashier') && !c.branchId) {
    throw new GatewayError('BAD_REQUEST', { message: `role ${c.role} needs a branchId` });
  }
}
