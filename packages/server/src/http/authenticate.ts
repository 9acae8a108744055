import type { FastifyRequest } from 'fastify';
import type { JwtService } from '../auth/jwt-service.js';
import { GatewayError } from '../core/gateway-error.js';
import type { UserPrincipal } from '../core/principal.js';
import { scopeRequestToUser } from '../core/tenant-scope.js';
import { cookieCredential } from './cookie-credential.js';

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * The caller of a request: a web user by `Authorization: Bearer <JWT>` (the gateway's own, a
 * session's access token, or a trusted platform's), or a POS server or integration by its API key
 * (`Authorization: Bearer pm_…` or `X-API-Key: pm_…`, docs/credentials.md), or the dashboard's
 * session cookie (docs/dashboard.md); `AUTH_FAILED` otherwise.
 * From here on the request's database work sees only the caller's company (decision 0007).
 * The principal carries the request's address (`request.ip`), which the services write to the
 * audit log with every change the caller makes; the verified credential itself is shared.
 * A credential verified before and not changed since is answered without a promise: this runs on
 * every API request (docs/benchmarks.md, printer-test RPC). Callers `await` it either way.
 */
export function requireUser(jwt: JwtService, request: FastifyRequest): UserPrincipal | Promise<UserPrincipal> {
  const token = credentialOf(request);
  const known = jwt.alreadyVerified(token);
  if (known) {
    scopeRequestToUser(known);
    return { ...known, sourceAddress: request.ip };
  }
  return jwt.verify(token).then((user) => {
    scopeRequestToUser(user);
    return { ...user, sourceAddress: request.ip };
  });
}

/** The token or key a request carries; `AUTH_FAILED` for none, or for two that differ. */
function credentialOf(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const apiKey = request.headers['x-api-key'];
  if (Array.isArray(apiKey)) throw new GatewayError('AUTH_FAILED', { message: 'send one X-API-Key header' });
  let bearer: string | undefined;
  if (header) {
    const match = BEARER.exec(header);
    if (!match) throw new GatewayError('AUTH_FAILED', { message: 'Authorization must be "Bearer <JWT or API key>"' });
    bearer = match[1] as string;
  }
  if (apiKey !== undefined && bearer !== undefined && apiKey.trim() !== bearer) {
    throw new GatewayError('AUTH_FAILED', { message: 'Authorization and X-API-Key name different credentials' });
  }
  // The dashboard's session cookie (docs/dashboard.md) counts only when no header names a credential.
  const token = bearer ?? apiKey?.trim() ?? cookieCredential(request);
  if (!token) {
    throw new GatewayError('AUTH_FAILED', { message: 'Authorization: Bearer <JWT> or X-API-Key: pm_… is required' });
  }
  return token;
}
