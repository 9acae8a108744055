import { createPublicKey, type KeyObject } from 'node:crypto';
import { isRole, type Role } from '@printermaster/protocol';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { TrustedJwtConfig } from '../config/credential-settings.js';
import { assertGrantShape } from '../core/credential-grant.js';
import { GatewayError } from '../core/gateway-error.js';
import type { UserPrincipal } from '../core/principal.js';

/**
 * Verifies JWTs a platform issues itself, by its JWKS URL (keys fetched and cached by jose, and
 * fetched again for an unknown `kid`) or one public key, and reads the user's role, company and
 * branch from the claims the configuration names. Such a token is trusted as far as the gateway's
 * own: its claims alone decide the scope, so issuer and audience are always checked.
 */
export class TrustedJwtVerifier {
  private readonly key: JWTVerifyGetKey | KeyObject;

  constructor(private readonly config: TrustedJwtConfig) {
    if (config.jwksUrl !== undefined) {
      this.key = createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
    } else if (config.publicKeyPem !== undefined) {
      this.key = createPublicKey(config.publicKeyPem);
    } else {
      throw new Error('a trusted JWT needs a JWKS URL or a public key');
    }
  }

  /** Whether `alg` (a token's header) is one this verifier takes; other tokens are the gateway's own. */
  accepts(alg: string | undefined): boolean {
    return alg !== undefined && this.config.algorithms.includes(alg);
  }

  /** The user of a platform JWT; `AUTH_FAILED` for a bad signature, issuer, audience, expiry or scope. */
  async verify(token: string): Promise<UserPrincipal> {
    let payload: Record<string, unknown>;
    try {
      const options = {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: this.config.algorithms,
      };
      ({ payload } =
        typeof this.key === 'function'
          ? await jwtVerify(token, this.key, options)
          : await jwtVerify(token, this.key, options));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new GatewayError('AUTH_FAILED', { message: 'token has expired' });
      if (err instanceof errors.JWTClaimValidationFailed) {
        throw new GatewayError('AUTH_FAILED', { message: `token claim ${err.claim} is not accepted` });
      }
      throw new GatewayError('AUTH_FAILED', { message: 'token is not valid' });
    }
    const { sub, exp, email } = payload;
    if (typeof exp !== 'number') throw new GatewayError('AUTH_FAILED', { message: 'token has no expiry (exp)' });
    const role = this.roleOf(payload[this.config.claims.role]);
    if (typeof sub !== 'string' || role === undefined) {
      throw new GatewayError('AUTH_FAILED', { message: 'token lacks a subject or a known role' });
    }
    const companyId = stringClaim(payload[this.config.claims.company]);
    const branchId = stringClaim(payload[this.config.claims.branch]);
    // Roles that apply to a whole company (or the platform) ignore a branch claim the platform may always send.
    const scoped = {
      role,
      ...(role !== 'super_admin' && companyId !== undefined ? { companyId } : {}),
      ...((role === 'branch_manager' || role === 'cashier') && branchId !== undefined ? { branchId } : {}),
    };
    try {
      assertGrantShape(scoped);
    } catch {
      throw new GatewayError('AUTH_FAILED', { message: 'token scope does not fit its role' });
    }
    return {
      kind: 'user',
      userId: sub,
      ...scoped,
      ...(typeof email === 'string' ? { email } : {}),
      expiresAt: exp * 1000,
    };
  }

  private roleOf(value: unknown): Role | undefined {
    if (typeof value !== 'string') return undefined;
    const mapped = Object.hasOwn(this.config.roleMap, value) ? this.config.roleMap[value] : value;
    return isRole(mapped) ? mapped : undefined;
  }
}

function stringClaim(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
