import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JwtService } from '../auth/jwt-service.js';
import { ACCESS_COOKIE } from '../auth/web-session-cookies.js';
import type { Clock } from '../core/clock.js';
import type { AuditLog } from '../core/ports/audit-log.js';
import { actorOf, type UserPrincipal } from '../core/principal.js';
import { runAsGateway } from '../core/tenant-scope.js';
import { requestCookie } from './cookie-credential.js';

export interface RefusedAccessAuditOptions {
  audit: AuditLog;
  /** To name the caller of a 403, whose credential was verified moments before. */
  jwt: JwtService;
  clock: Clock;
  /** One entry per address and status within this window, ms (default 60 000). */
  windowMs?: number;
  /** Most entries a window, all addresses together (default 120): a flood from many addresses stays bounded too. */
  maxPerWindow?: number;
  /** Most addresses remembered (default 10 000). */
  maxAddresses?: number;
}

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Records refused API requests (401, 403) in the audit log as `access.refused`, with the source
 * address, the route and, for a 403, the caller. A flood must not fill the table: each address
 * gets at most one entry per status a window, and the process at most `maxPerWindow` entries a
 * window, remembering at most `maxAddresses` addresses; what that leaves out is counted in a log line.
 */
export function installRefusedAccessAudit(app: FastifyInstance, opts: RefusedAccessAuditOptions): void {
  const windowMs = opts.windowMs ?? 60_000;
  const maxPerWindow = opts.maxPerWindow ?? 120;
  const maxAddresses = opts.maxAddresses ?? 10_000;
  /** Per address and status: when its last entry was recorded. */
  const seen = new Map<string, number>();
  let windowStart = 0;
  let recorded = 0;
  let dropped = 0;

  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    if (status === 401 || status === 403) refused(request, status);
    done();
  });

  function refused(request: FastifyRequest, status: number): void {
    const now = opts.clock.now();
    if (now - windowStart >= windowMs) {
      if (dropped > 0) request.log.warn({ dropped, windowMs }, 'refused requests not audited: too many');
      windowStart = now;
      recorded = 0;
      dropped = 0;
      for (const [key, since] of seen) if (now - since >= windowMs) seen.delete(key);
    }
    const key = `${request.ip}|${status}`;
    const since = seen.get(key);
    if (since !== undefined && now - since < windowMs) return;
    if (recorded >= maxPerWindow || (since === undefined && seen.size >= maxAddresses)) {
      dropped++;
      return;
    }
    recorded++;
    seen.set(key, now);
    const caller = status === 403 ? callerOf(request) : undefined;
    // The gateway's own write: an unauthenticated request's scope would see (and write) no rows.
    void runAsGateway(() =>
      opts.audit.record({
        companyId: caller?.companyId ?? null,
        actor: caller ? actorOf(caller) : 'anonymous',
        action: 'access.refused',
        targetType: 'route',
        targetId: `${request.method} ${request.routeOptions.url ?? 'unmatched'}`,
        details: { status },
        sourceAddress: request.ip,
      }),
    );
  }

  function callerOf(request: FastifyRequest): UserPrincipal | undefined {
    const apiKey = request.headers['x-api-key'];
    // The dashboard's cookie too: a write it sent without the CSRF header is refused as that user.
    const token =
      BEARER.exec(request.headers.authorization ?? '')?.[1] ??
      (typeof apiKey === 'string' ? apiKey : (requestCookie(request, ACCESS_COOKIE) ?? ''));
    return token ? opts.jwt.alreadyVerified(token.trim()) : undefined;
  }
}
