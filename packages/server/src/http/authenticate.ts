import type { FastifyRequest } from 'fastify';
import type { JwtService } from '../auth/jwt-service.js';
import { GatewayError } from '../core/gateway-error.js';
import type { UserPrincipal } from '../core/principal.js';
import { scopeRequestToUser } from '../core/tenant-scope.js';

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * The web user of a request, from its `Authorization: Bearer` JWT; `AUTH_FAILED` otherwise.
 * From here on the request's database work sees only the user's company (decision 0007).
 * A token verified before and not yet expired is answered without a promise: this runs on
 * every API request (docs/benchmarks.md, printer-test RPC). Callers `await` it either way.
 */
export function requireUser(jwt: JwtService, request: FastifyRequest): UserPrincipal | Promise<UserPrincipal> {
  const header = request.headers.authorization;
  if (!header) throw new GatewayError('AUTH_FAILED', { message: 'Authorization: Bearer <JWT> is required' });
  const match = BEARER.exec(header);
  if (!match) throw new GatewayError('AUTH_FAILED', { message: 'Authorization must be "Bearer <JWT>"' });
  const token = match[1] as string;
  const known = jwt.alreadyVerified(token);
  if (known) {
    scopeRequestToUser(known);
    return known;
  }
  return jwt.verify(token).then((user) => {
    scopeRequestToUser(user);
    return user;
  });
}
