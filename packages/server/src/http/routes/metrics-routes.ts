import type { Role } from '@printermaster/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JwtService } from '../../auth/jwt-service.js';
import { ADMIN_VIEW_ROLES, requireRole, type UserPrincipal } from '../../core/principal.js';
import type { HealthChecks } from '../../health/health-checks.js';
import type { GatewayMetrics } from '../../metrics/gateway-metrics.js';
import { MetricViews } from '../../metrics/metric-views.js';
import { requireUser } from '../authenticate.js';
import { USER_SECURITY } from './user-security.js';

/** Process-wide views: they say nothing of one tenant, and something of every tenant. */
const PROCESS_ROLES: readonly Role[] = ['super_admin'];

/**
 * Prometheus text at the paths the runbooks scrape. Unauthenticated like every
 * Prometheus target: restrict it at the proxy (deploy/nginx does).
 *
 * JSON views for `curl … | jq` in runbooks (docs/operations.md#json-metric-views), read from
 * the same registry: authenticated (JWT or API key). The process-wide ones are for super_admin;
 * `websocket` and `exports` answer company owners and branch managers for their own scope.
 */
export async function metricsRoutes(
  app: FastifyInstance,
  opts: {
    metrics: GatewayMetrics;
    jwt: JwtService;
    health: HealthChecks;
    websocket: () => { webClients: number; uniqueUsers: number };
  },
): Promise<void> {
  for (const path of ['/metrics', '/metrics/prometheus', '/api/metrics']) {
    app.get(path, { schema: { tags: ['metrics'], hide: path !== '/metrics' } }, async (_request, reply) => {
      return reply.header('content-type', opts.metrics.contentType).send(await opts.metrics.text());
    });
  }
  const views = new MetricViews(opts.metrics, opts.health, opts.websocket);
  const caller = async (request: FastifyRequest, roles: readonly Role[]): Promise<UserPrincipal> => {
    const user = await requireUser(opts.jwt, request);
    requireRole(user, roles);
    return user;
  };
  const schema = { tags: ['metrics'], security: USER_SECURITY };
  app.get('/api/metrics/websocket', { schema }, async (request) =>
    views.websocket(await caller(request, ADMIN_VIEW_ROLES)),
  );
  app.get('/api/metrics/health', { schema }, async (request) => {
    await caller(request, PROCESS_ROLES);
    return views.healthChecks();
  });
  app.get('/api/metrics/ratelimit', { schema }, async (request) => {
    await caller(request, PROCESS_ROLES);
    return views.rateLimits();
  });
  app.get('/api/metrics/performance', { schema }, async (request) => {
    await caller(request, PROCESS_ROLES);
    return views.performance();
  });
  app.get('/api/metrics/cache', { schema }, async (request) => {
    await caller(request, PROCESS_ROLES);
    return views.caches();
  });
  app.get('/api/metrics/exports', { schema }, async (request) => {
    const user = await caller(request, ADMIN_VIEW_ROLES);
    return views.exports(user);
  });
}
