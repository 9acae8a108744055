import { createPublicKey } from 'node:crypto';
import { ROLES, type Role } from '@printermaster/protocol';
import type { EnvValues } from './env-setting.js';
import { list, text } from './setting-kinds.js';

const DURATION = {
  type: 'duration',
  pattern: /^\d+[smhdw]?$/,
  rule: 'must look like 3600, 15m, 12h, 1d or 1w',
  bounds: 'seconds, or a number with s, m, h, d or w',
} as const;

const CLAIM_NAME = {
  type: 'claim name',
  pattern: /^[A-Za-z_][A-Za-z0-9_.:/-]{0,127}$/,
  rule: 'must be a JWT claim name (letters, digits, _ . : / -)',
  bounds: 'a claim name',
} as const;

/** JWS algorithms a platform's own tokens may be signed with: asymmetric ones only (its secret is not ours). */
export const TRUSTED_JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

/** Web users' sessions (access and refresh tokens), and a platform's own JWTs trusted by configuration. */
export const CREDENTIAL_SETTINGS = {
  jwtAccessTtl: text({
    name: 'JWT_ACCESS_TTL',
    group: 'security',
    description:
      'Lifetime of the access tokens of sessions (`POST /auth/sessions`, `/auth/refresh`); short, since a refresh gets the next',
    default: '15m',
    ...DURATION,
  }),
  jwtRefreshTtl: text({
    name: 'JWT_REFRESH_TTL',
    group: 'security',
    description: 'Lifetime of each refresh token of a session; every refresh hands out a new one for this long',
    default: '30d',
    ...DURATION,
  }),
  trustedJwtJwksUrl: text({
    name: 'TRUSTED_JWT_JWKS_URL',
    group: 'security',
    description:
      'JWKS URL of a platform whose own JWTs the gateway accepts (docs/credentials.md); set this or `TRUSTED_JWT_PUBLIC_KEY`, not both',
    default: undefined,
    type: 'URL',
    pattern: /^https?:\/\/\S+$/,
    rule: 'must be an http(s) URL',
    bounds: 'an http(s) URL',
  }),
  trustedJwtPublicKey: text({
    name: 'TRUSTED_JWT_PUBLIC_KEY',
    group: 'security',
    description:
      'PEM public key (SPKI, `-----BEGIN PUBLIC KEY-----`; `\\n` for line breaks) of a platform whose JWTs are accepted',
    default: undefined,
    type: 'PEM',
    pattern: /^\s*-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----\s*$/,
    rule: 'must be a PEM public key (-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----)',
    bounds: 'a PEM SPKI public key',
  }),
  trustedJwtIssuer: text({
    name: 'TRUSTED_JWT_ISSUER',
    group: 'security',
    description: 'Required `iss` of trusted platform JWTs (needed when a JWKS URL or public key is set)',
    default: undefined,
  }),
  trustedJwtAudience: text({
    name: 'TRUSTED_JWT_AUDIENCE',
    group: 'security',
    description: 'Required `aud` of trusted platform JWTs (needed when a JWKS URL or public key is set)',
    default: undefined,
  }),
  trustedJwtAlgorithms: list({
    name: 'TRUSTED_JWT_ALGORITHMS',
    group: 'security',
    description: 'Comma-separated signature algorithms accepted on trusted platform JWTs',
    default: ['RS256', 'ES256'],
    item: {
      pattern: new RegExp(`^(${TRUSTED_JWT_ALGORITHMS.join('|')})$`),
      rule: `must be one of ${TRUSTED_JWT_ALGORITHMS.join(', ')}`,
    },
    bounds: TRUSTED_JWT_ALGORITHMS.join(', '),
  }),
  trustedJwtCompanyClaim: text({
    name: 'TRUSTED_JWT_COMPANY_CLAIM',
    group: 'security',
    description: 'Claim of a trusted platform JWT that holds the company id',
    default: 'companyId',
    ...CLAIM_NAME,
  }),
  trustedJwtBranchClaim: text({
    name: 'TRUSTED_JWT_BRANCH_CLAIM',
    group: 'security',
    description: 'Claim of a trusted platform JWT that holds the branch id',
    default: 'branchId',
    ...CLAIM_NAME,
  }),
  trustedJwtRoleClaim: text({
    name: 'TRUSTED_JWT_ROLE_CLAIM',
    group: 'security',
    description: 'Claim of a trusted platform JWT that holds the role',
    default: 'role',
    ...CLAIM_NAME,
  }),
  trustedJwtRoleMap: list({
    name: 'TRUSTED_JWT_ROLE_MAP',
    group: 'security',
    description:
      'Comma-separated `theirs:ours` pairs mapping the platform’s role names to PrinterMaster roles; unmapped names must already be ours',
    default: [],
    item: {
      pattern: new RegExp(`^[^:,\\s]+:(${ROLES.join('|')})$`),
      rule: `must be theirs:ours, ours one of ${ROLES.join(', ')}`,
    },
    bounds: `pairs like manager:branch_manager`,
  }),
} as const;

/** Seconds in a duration as the duration settings take it (`3600`, `15m`, `12h`, `1d`, `1w`). */
export function durationSeconds(text: string): number {
  const match = /^(\d+)([smhdw]?)$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[match[2] as '' | 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(match[1]) * unit;
}

/** How a platform's own JWTs are verified and read (docs/credentials.md). */
export interface TrustedJwtConfig {
  /** Exactly one of `jwksUrl` and `publicKeyPem`. */
  jwksUrl?: string;
  publicKeyPem?: string;
  issuer: string;
  audience: string;
  algorithms: string[];
  claims: { company: string; branch: string; role: string };
  /** The platform's role names → PrinterMaster roles. */
  roleMap: Record<string, Role>;
}

/** The settings of web users' sessions and of a trusted platform, as the config holds them. */
export interface CredentialConfig {
  /** Lifetime of a session's access tokens, s. */
  accessTtlS: number;
  /** Lifetime of each refresh token, s. */
  refreshTtlS: number;
  /** `undefined`: only the gateway's own JWTs (and API keys) are accepted. */
  trustedJwt: TrustedJwtConfig | undefined;
}

type CredentialValues = EnvValues<typeof CREDENTIAL_SETTINGS>;

/** Problems between the trusted-JWT settings, each named; empty when they fit together. */
export function credentialProblems(v: CredentialValues): string[] {
  const problems: string[] = [];
  const source = v.trustedJwtJwksUrl !== undefined || v.trustedJwtPublicKey !== undefined;
  if (v.trustedJwtJwksUrl !== undefined && v.trustedJwtPublicKey !== undefined) {
    problems.push('TRUSTED_JWT_JWKS_URL and TRUSTED_JWT_PUBLIC_KEY must not both be set');
  }
  if (source) {
    if (v.trustedJwtIssuer === undefined)
      problems.push('TRUSTED_JWT_ISSUER is required with a trusted JWKS URL or public key');
    if (v.trustedJwtAudience === undefined) {
      problems.push('TRUSTED_JWT_AUDIENCE is required with a trusted JWKS URL or public key');
    }
    if (v.trustedJwtAlgorithms.length === 0) problems.push('TRUSTED_JWT_ALGORITHMS must name at least one algorithm');
    if (v.trustedJwtPublicKey !== undefined && !readablePublicKey(v.trustedJwtPublicKey)) {
      problems.push('TRUSTED_JWT_PUBLIC_KEY is not a readable PEM public key');
    }
  } else if (v.trustedJwtIssuer !== undefined || v.trustedJwtAudience !== undefined || v.trustedJwtRoleMap.length > 0) {
    problems.push('TRUSTED_JWT_* settings need TRUSTED_JWT_JWKS_URL or TRUSTED_JWT_PUBLIC_KEY');
  }
  return problems;
}

function readablePublicKey(pem: string): boolean {
  try {
    createPublicKey(pem.replace(/\\n/g, '\n'));
    return true;
  } catch {
    return false;
  }
}

/** The config block, from values that passed `credentialProblems`. */
export function toCredentialConfig(v: CredentialValues): CredentialConfig {
  const source = v.trustedJwtJwksUrl ?? v.trustedJwtPublicKey;
  return {
    accessTtlS: durationSeconds(v.jwtAccessTtl),
    refreshTtlS: durationSeconds(v.jwtRefreshTtl),
    trustedJwt:
      source === undefined
        ? undefined
        : {
            ...(v.trustedJwtJwksUrl === undefined ? {} : { jwksUrl: v.trustedJwtJwksUrl }),
            // An environment variable often carries a PEM on one line, with `\n` for its line breaks.
            ...(v.trustedJwtPublicKey === undefined
              ? {}
              : { publicKeyPem: v.trustedJwtPublicKey.replace(/\\n/g, '\n') }),
            issuer: v.trustedJwtIssuer ?? '',
            audience: v.trustedJwtAudience ?? '',
            algorithms: v.trustedJwtAlgorithms,
            claims: { company: v.trustedJwtCompanyClaim, branch: v.trustedJwtBranchClaim, role: v.trustedJwtRoleClaim },
            roleMap: Object.fromEntries(
              v.trustedJwtRoleMap.map((pair) => {
                const at = pair.lastIndexOf(':');
                return [pair.slice(0, at), pair.slice(at + 1) as Role];
              }),
            ),
          },
  };
}
