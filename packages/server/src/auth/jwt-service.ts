import { isRole, type Role } from '@printermaster/protocol';
import { errors, jwtVerify, SignJWT } from 'jose';
import { GatewayError } from '../core/gateway-error.js';
import type { UserPrincipal } from '../core/principal.js';

export interface TokenClaims {
  sub: string;
  email?: string;
  role: Role;
  companyId?: string;
  branchId?: string;
}

/** HS256 JWTs for web users. Scope (company, branch, role) lives in the claims. */
export class JwtService {
  private readonly key: Uint8Array;
  /**
   * Tokens already verified, until they expire (at most 5 min): a dashboard or POS sends the
   * same token with every request, and WebCrypto's HMAC costs more than the rest of a
   * printer test. Bounded; a token is only ever trusted until its own `exp`.
   */
  private readonly verified = new Map<string, { principal: UserPrincipal; until: number }>();

  constructor(
    secret: string,
    private readonly defaultExpiresIn: string,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async sign(claims: TokenClaims, expiresIn: string = this.defaultExpiresIn): Promise<string> {
    assertScope(claims);
    const { sub, ...rest } = claims;
    return new SignJWT({ ...rest })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime(/^\d+$/.test(expiresIn) ? Math.floor(Date.now() / 1000) + Number(expiresIn) : expiresIn)
      .sign(this.key);
  }

  /** The user behind a token verified before and not yet expired; `undefined` means call `verify`. */
  alreadyVerified(token: string): UserPrincipal | undefined {
    const cached = this.verified.get(token);
    if (!cached) return undefined;
    if (Date.now() < cached.until) return cached.principal;
    this.verified.delete(token);
    return undefined;
  }

  /** The user behind `token`; `AUTH_FAILED` for anything invalid, expired, without `exp` or out of shape. */
  async verify(token: string): Promise<UserPrincipal> {
    const cached = this.alreadyVerified(token);
    if (cached) return cached;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] }));
    } catch (err) {
      const reason = err instanceof errors.JWTExpired ? 'token has expired' : 'token is not valid';
      throw new GatewayError('AUTH_FAILED', { message: reason });
    }
    const { sub, email, role, companyId, branchId, exp } = payload;
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
    const principal: UserPrincipal = {
      kind: 'user',
      userId: sub,
      role,
      email: claims.email,
      companyId: claims.companyId,
      branchId: claims.branchId,
      expiresAt: exp * 1000,
    };
    const until = Math.min(exp * 1000, Date.now() + 300_000);
    if (until > Date.now()) {
      if (this.verified.size >= 10_000) this.verified.clear();
      this.verified.set(token, { principal: Object.freeze(principal), until });
    }
    return principal;
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
