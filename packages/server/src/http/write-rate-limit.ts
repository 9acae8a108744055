import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { GatewayError } from '../core/gateway-error.js';
import type { RateLimiter } from '../core/ports/rate-limiter.js';

/** Whom a write counts against. */
export interface WriteIdentity {
  /** The caller's credential: a JWT subject, a licence, a device. */
  credential: string;
  /** The branch written to, when the caller may write there; `undefined` counts against no branch. */
  branchId: string | undefined;
}

/**
 * Authenticates a write far enough to know whom it counts against. Throws the handler's own
 * error (`AUTH_FAILED`, …) for a caller it cannot identify, so such writes use up no budget.
 */
export type WriteIdentityResolver = (request: FastifyRequest) => WriteIdentity | Promise<WriteIdentity>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Whom this route's writes count against; default: the JWT's subject and the branch written to. */
    writeIdentity?: WriteIdentityResolver;
  }
}

export interface WriteRateLimitOptions {
  perBranch: RateLimiter;
  perCredential: RateLimiter;
  /** For routes that name no `writeIdentity` of their own. */
  defaultIdentity: WriteIdentityResolver;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Limits every write route (POST, PUT, PATCH, DELETE) per branch and per credential, with
 * the limiters of the cluster (one process: memory; several: Redis, so the limit is shared).
 * Refusal: 429 `RATE_LIMIT_EXCEEDED` with `resetIn` and `Retry-After` in seconds. Install it
 * before the routes: it attaches itself to each write route as that route is added.
 */
export function installWriteRateLimit(app: FastifyInstance, opts: WriteRateLimitOptions): void {
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.some((m) => WRITE_METHODS.has(m))) return;
    const resolve = route.config?.writeIdentity ?? opts.defaultIdentity;
    const limit: preHandlerAsyncHookHandler = async (request) => {
      if (!WRITE_METHODS.has(request.method)) return;
      const { credential, branchId } = await resolve(request);
      const [branchWaitMs, credentialWaitMs] = await Promise.all([
        branchId === undefined ? undefined : opts.perBranch.consume(branchId),
        opts.perCredential.consume(credential),
      ]);
      if (branchWaitMs !== undefined) throw refusal('branch', branchWaitMs);
      if (credentialWaitMs !== undefined) throw refusal('credential', credentialWaitMs);
    };
    const own = route.preHandler;
    route.preHandler = own === undefined ? [limit] : [limit, ...(Array.isArray(own) ? own : [own])];
  });
}

function refusal(scope: 'branch' | 'credential', waitMs: number): GatewayError {
  const resetIn = Math.max(1, Math.ceil(waitMs / 1000));
  return new GatewayError('RATE_LIMIT_EXCEEDED', {
    message: `too many writes ${scope === 'branch' ? 'to this branch' : 'with this credential'}; try again in ${resetIn} s`,
    details: { resetIn, scope },
  });
}
