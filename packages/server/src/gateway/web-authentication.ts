import type { IncomingHttpHeaders } from 'node:http';
import { WebAuthSchema } from '@printermaster/protocol';
import type { JwtService } from '../auth/jwt-service.js';
import type { Clock } from '../core/clock.js';
import { GatewayError } from '../core/gateway-error.js';
import type { WebSession } from './gateway-sockets.js';
import { validatePayload } from './payload-validator.js';

export interface WebAuthenticationDeps {
  jwt: Pick<JwtService, 'verify'>;
  clock: Clock;
}

/**
 * Admits a web client by its JWT, from `auth.token` or an `Authorization: Bearer` header.
 * The token's claims alone decide the user's role and scope (`auth`'s hints are checked for
 * shape only); a token without `exp` is refused, and the socket is closed when it expires
 * (CredentialWatch, armed by WebClients).
 */
export class WebAuthentication {
  constructor(private readonly deps: WebAuthenticationDeps) {}

  /** Resolves with the client's session, or rejects with `AUTH_FAILED` or `BAD_REQUEST`. */
  async admit(auth: Record<string, unknown>, headers: IncomingHttpHeaders): Promise<WebSession> {
    const header = headers.authorization;
    const token =
      typeof auth.token === 'string' ? auth.token : header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (token === undefined)
      throw new GatewayError('AUTH_FAILED', { message: 'a JWT (auth.token) or a licence key is required' });
    validatePayload(WebAuthSchema, { ...auth, token }, 'web handshake');
    const principal = await this.deps.jwt.verify(token);
    return { kind: 'web', principal, connectedAt: this.deps.clock.now() };
  }
}
