import type { CredentialConfig } from '../config/credential-settings.js';
import type { ApiKeyService } from '../core/api-key-service.js';
import type { SessionService } from '../core/session-service.js';
import type { OtherCredentials } from './jwt-service.js';
import { TrustedJwtVerifier } from './trusted-jwt-verifier.js';

/** What JwtService accepts besides its own JWTs: the core's API keys and sessions, a trusted platform's JWTs. */
export function otherCredentials(
  config: { credentials: CredentialConfig },
  core: { apiKeys: ApiKeyService; sessions: SessionService },
): OtherCredentials {
  const { trustedJwt } = config.credentials;
  return {
    apiKeys: core.apiKeys,
    sessions: core.sessions,
    ...(trustedJwt ? { trusted: new TrustedJwtVerifier(trustedJwt) } : {}),
  };
}
