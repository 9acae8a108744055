import type { FastifyRequest } from 'fastify';
import type { JwtService } from '../auth/jwt-service.js';
import { GatewayError } from '../core/gateway-error.js';
import type { UserPrincipal } from '../core/principal.js';

const cache = new WeakMap<FastifyRequest, UserPrincipal>();

/** The web user of a request, from its `Authorization: Bearer` JWT; `AUTH_FAILED` otherwise. */
export async function requireUser(jwt: JwtService, request: FastifyRequest): Promise<UserPrincipal> {
  const cached = cache.get(request);
  if (cached) return cached;
  const header = request.headers.authorization;
  if (!header) throw new GatewayError('AUTH_FAILED', { message: 'Authorization: Bearer <JWT> is required' });
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new GatewayError('AUTH_FAILED', { message: 'Authorization must be "Bearer <JWT>"' });
  const token = match[1] as string;
  const user = jwt.alreadyVerified(token) ?? (await jwt.verify(token));
  cache.set(request, user);
  return user;
}
