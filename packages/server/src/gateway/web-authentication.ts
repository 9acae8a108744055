import type { IncomingHttpHeaders } from 'node:http';
import { WebAuthSchema } from '@printermaster/protocol';
import type { JwtService } from '../auth/jwt-service.js';
import { ACCESS_COOKIE, cookieFromHeaders, isOwnOrigin } from '../auth/web-session-cookies.js';
import type { Clock } from '../core/clock.js';
import { GatewayError } from '../core/gateway-error.js';
import type { WebSession } from './gateway-sockets.js';
import { validatePayload } from './payload-validator.js';

export interface WebAuthenticationDeps {
  jwt: Pick<JwtService, 'verify'>;
  clock: Clock;
}

/**
 * Admits a web client by its credential: a JWT (the gateway's own, a session's access token, a
 * trusted platform's) or an API key, from `auth.token`, an `Authorization: Bearer` header or an
 * `X-API-Key` header, or the dashboard's session cookie (docs/dashboard.md). The credential alone decides the client's role and scope (`auth`'s hints
 * are checked for shape only); a token without `exp` is refused, and the socket is closed when
 * it expires or its session or key is revoked (CredentialWatch, armed by WebClients).
 */
export class WebAuthentication {
  constructor(private readonly deps: WebAuthenticationDeps) {}

  /** Resolves with the client's session, or rejects with `AUTH_FAILED` or `BAD_REQUEST`. */
  async admit(auth: Record<string, unknown>, headers: IncomingHttpHeaders): Promise<WebSession> {
    const header = headers.authorization;
    const apiKey = headers['x-api-key'];
    if (Array.isArray(apiKey)) throw new GatewayError('AUTH_FAILED', { message: 'send one X-API-Key header' });
    // As on REST (http/authenticate.ts): credentials named more than once must be one and the same.
    const named = [
      typeof auth.token === 'string' ? auth.token : undefined,
      header?.startsWith('Bearer ') ? header.slice(7) : undefined,
      apiKey?.trim(),
    ].filter((c): c is string => c !== undefined);
    if (new Set(named).size > 1) {
      throw new GatewayError('AUTH_FAILED', {
        message: 'auth.token, Authorization and X-API-Key name different credentials',
      });
    }
    const token = named[0] ?? dashboardCookie(headers);
    if (token === undefined)
      throw new GatewayError('AUTH_FAILED', { message: 'a JWT or API key (auth.token) or a licence key is required' });
    validatePayload(WebAuthSchema, { ...auth, token }, 'web handshake');
    const principal = await this.deps.jwt.verify(token);
    return { kind: 'web', principal, connectedAt: this.deps.clock.now() };
  }
}

/** The dashboard's session cookie, from the gateway's own pages only (no cross-site socket hijacking). */
function dashboardCookie(headers: IncomingHttpHeaders): string | undefined {
  const token = cookieFromHeaders(headers, ACCESS_COOKIE);
  if (token === undefined) return undefined;
  if (!isOwnOrigin(headers.origin, headers.host)) {
    throw new GatewayError('AUTH_FAILED', {
      message: 'the session cookie is accepted from the gateway’s own pages only',
    });
  }
  return token;
}
