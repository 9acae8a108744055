import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type pino from 'pino';
import type { JwtService } from '../auth/jwt-service.js';
import { SessionTokens } from '../auth/session-tokens.js';
import type { ApiKeyService } from '../core/api-key-service.js';
import type { Clock } from '../core/clock.js';
import type { DesktopHealthService } from '../core/desktop-health-service.js';
import type { EventFeed } from '../core/event-feed.js';
import type { HeldJobs } from '../core/held-jobs.js';
import type { LegacyAgentVerifier } from '../core/legacy-agent-verifier.js';
import type { LicenseService } from '../core/license-service.js';
import type { PaperCheckService } from '../core/paper-check-service.js';
import type { AuditLog } from '../core/ports/audit-log.js';
import type { DeviceStore } from '../core/ports/device-store.js';
import type { RateLimiter } from '../core/ports/rate-limiter.js';
import type { PrintJobService } from '../core/print-job-service.js';
import type { PrinterPresence } from '../core/printer-presence.js';
import type { PrinterService } from '../core/printer-service.js';
import type { PrinterTestService } from '../core/printer-test-service.js';
import type { ServiceRegistryService } from '../core/service-registry-service.js';
import type { SessionService } from '../core/session-service.js';
import type { StationService } from '../core/station-service.js';
import type { TenantService } from '../core/tenant-service.js';
import type { WebhookService } from '../core/webhook-service.js';
import type { WriteTargetLocator } from '../core/write-target-locator.js';
import type { HealthChecks } from '../health/health-checks.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { TicketPreviews } from '../ticket-previews.js';
import { dashboardStatic } from './dashboard-static.js';
import { drainTracking } from './drain-tracking.js';
import { installErrorHandler } from './error-handler.js';
import {
  createClientErrorHandler,
  frameworkErrors,
  installPreflightCheck,
  MAX_PATH_PARAM_LENGTH,
} from './framework-errors.js';
import { installInputGuard } from './input-guard.js';
import { LazyRequestLogger } from './lazy-request-logger.js';
import { installRefusedAccessAudit } from './refused-access-audit.js';
import { installRouteSummaries } from './route-summaries.js';
import { adminLicenceRoutes } from './routes/admin-licence-routes.js';
import { adminTenantRoutes } from './routes/admin-tenant-routes.js';
import { apiKeyRoutes } from './routes/api-key-routes.js';
import { auditLogRoutes } from './routes/audit-log-routes.js';
import { desktopHealthRoutes } from './routes/desktop-health-routes.js';
import { eventRoutes } from './routes/event-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { heldJobRoutes } from './routes/held-job-routes.js';
import { legacyRoutes } from './routes/legacy-routes.js';
import { metricsRoutes } from './routes/metrics-routes.js';
import { paperCheckRoutes } from './routes/paper-check-routes.js';
import { printJobRoutes } from './routes/print-job-routes.js';
import { printerRoutes } from './routes/printer-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import { stationRoutes } from './routes/station-routes.js';
import { ticketPreviewRoutes } from './routes/ticket-preview-routes.js';
import { webSessionRoutes } from './routes/web-session-routes.js';
import { webhookRoutes } from './routes/webhook-routes.js';
import { scopeRequests, scopeRoutesToUsers } from './user-request-scope.js';
import { userWriteIdentity } from './user-write-identity.js';
import { createValidatorCompiler } from './validator-compiler.js';
import { installWriteRateLimit } from './write-rate-limit.js';

export interface AppDeps {
  logger: pino.Logger;
  version: string;
  corsOrigins: string[];
  /** Source addresses the refused-access audit remembers (PRINTERMASTER_REFUSED_SOURCES_MAX); default 10,000. */
  refusedSourcesMax?: number;
  maxBodyBytes: number;
  trustProxy: boolean;
  jwt: JwtService;
  licenses: LicenseService;
  /** Companies and branches (the admin API). */
  tenants: TenantService;
  /** API keys and web users' sessions (docs/credentials.md). */
  apiKeys: ApiKeyService;
  sessions: SessionService;
  printers: PrinterService;
  /** The audit log, read by `GET /api/audit-log`. */
  auditLog: AuditLog;
  /** Printers' status as reachable now (agent gone → offline). */
  printerPresence: PrinterPresence;
  printerTests: PrinterTestService;
  jobs: PrintJobService;
  /** Jobs held because they were too old to print (docs/api.md#held-jobs). */
  heldJobs: HeldJobs;
  /** Stations and their ordered printers (docs/api.md#stations). */
  stations: StationService;
  /** Opening-shift paper checks (docs/operations.md#paper-checks). */
  paperChecks: PaperCheckService;
  /** Pictures of tickets as they print. */
  previews: TicketPreviews;
  devices: DeviceStore;
  legacyAgents: LegacyAgentVerifier;
  validateLimiter: RateLimiter;
  /** Limits of every write route, per branch and per credential (write-rate-limit.ts). */
  writeLimits: { perBranch: RateLimiter; perCredential: RateLimiter; targets: WriteTargetLocator };
  health: HealthChecks;
  metrics: GatewayMetrics;
  desktopHealth: DesktopHealthService;
  registry: ServiceRegistryService;
  /** Webhook endpoints, their delivery logs, redelivery and pings (`/admin/webhooks`). */
  webhooks: WebhookService;
  /** The event feed (`GET /printing/events`). */
  eventFeed: EventFeed;
  /** Comment lines of an idle Server-Sent Events stream, ms (default 15 000). */
  eventStreamHeartbeatMs?: number;
  websocketStats: () => { agents: number; webClients: number; uniqueUsers: number; byProtocol: Record<string, number> };
  /** Time for the drain's deadline. */
  clock: Clock;
  /** The HTTP server to serve on (the gateway's, listening since start-up); default Fastify's own. */
  serverFactory?: (handler: (req: IncomingMessage, res: ServerResponse) => void) => Server;
}

/** The HTTP API, built apart from `listen` so tests can `inject` requests. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.maxBodyBytes,
    trustProxy: deps.trustProxy,
    requestIdHeader: 'x-correlation-id',
    // While draining, a request that arrives on a connection already open still gets a real
    // answer (readiness says 503, liveness 200) instead of a blanket 503: a pm2 reload or a
    // rolling restart then fails no request that the old process can still serve.
    return503OnClosing: false,
    ...(deps.serverFactory ? { serverFactory: deps.serverFactory } : {}),
    // What the router and Node's HTTP parser refuse gets the error envelope too.
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    frameworkErrors,
    clientErrorHandler: createClientErrorHandler(deps.logger),
    // Our onResponse hook logs requests once, with the fields operators grep for.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'correlationId' }),
    childLoggerFactory: (logger, bindings, options) =>
      new LazyRequestLogger(logger as pino.Logger, bindings, options as pino.ChildLoggerOptions),
  });
  app.setValidatorCompiler(createValidatorCompiler());
  await app.register(drainTracking, { clock: deps.clock });
  // Each handler's database work runs in a tenant scope of its own (row-level security, decision 0007).
  scopeRequests(app);
  // The API speaks JSON only; anything else is 415 rather than a confusing validation error.
  app.removeContentTypeParser('text/plain');
  // A POST of an action (revoke, activate, ...) sent with `Content-Type: application/json` and no
  // body, as curl and many clients do, means "no body": Fastify would refuse it as broken JSON.
  // A route that needs a body still says which field is missing.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else json(request, body as string, done);
  });
  installErrorHandler(app);
  installInputGuard(app);
  // The dashboard's session cookies (docs/dashboard.md); read before any credential is checked.
  await app.register(cookie);
  installWriteRateLimit(app, {
    perBranch: deps.writeLimits.perBranch,
    perCredential: deps.writeLimits.perCredential,
    defaultIdentity: userWriteIdentity(deps.jwt, deps.writeLimits.targets),
  });

  // Every answer names its correlation ID (the caller's `x-correlation-id`, or the one made
  // for it), so that a POS or dashboard developer can find the request in the gateway's logs.
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-correlation-id', request.id);
    done();
  });

  // Callback style, and the log line built only when its level is on: this runs for every request.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { route, method: request.method, status_code: String(reply.statusCode) };
    deps.metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    deps.metrics.httpRequests.inc(labels);
    const level = reply.statusCode >= 500 ? 'warn' : 'debug';
    if (deps.logger.isLevelEnabled(level)) {
      request.log[level](
        {
          method: request.method,
          url: request.url.split('?')[0],
          statusCode: reply.statusCode,
          durationMs: Math.round(reply.elapsedTime),
        },
        'request completed',
      );
    }
    done();
  });

  // 401s and 403s go to the audit log with their source address, a flood bounded (docs/api.md#audit-log).
  installRefusedAccessAudit(app, {
    audit: deps.auditLog,
    jwt: deps.jwt,
    clock: deps.clock,
    ...(deps.refusedSourcesMax === undefined ? {} : { maxAddresses: deps.refusedSourcesMax }),
  });

  installPreflightCheck(app, deps.corsOrigins);
  const anyOrigin = deps.corsOrigins.includes('*');
  await app.register(cors, {
    origin: anyOrigin ? true : deps.corsOrigins,
    credentials: true,
    exposedHeaders: ['idempotent-replayed', 'retry-after', 'x-correlation-id'],
  });

  // Large answers (metrics, API docs, lists) go gzip-compressed to clients that ask for it. Routes
  // whose answers are always small (a printer test, a job's acceptance) opt out, so the hot paths
  // carry no compression hooks.
  await app.register(compress, { global: true, threshold: 1024, encodings: ['gzip', 'deflate'] });

  await app.register(swagger, {
    openapi: {
      info: { title: 'PrinterMaster gateway API', version: deps.version },
      components: {
        securitySchemes: {
          // A JWT, or an API key (`pm_…`) as a bearer token (docs/credentials.md).
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  installRouteSummaries(app);

  await app.register(dashboardStatic);
  await app.register(healthRoutes, { checks: deps.health });
  await app.register(metricsRoutes, {
    metrics: deps.metrics,
    websocket: deps.websocketStats,
    jwt: deps.jwt,
    health: deps.health,
  });
  await app.register(legacyRoutes, {
    licenses: deps.licenses,
    printers: deps.printers,
    devices: deps.devices,
    legacyAgents: deps.legacyAgents,
    validateLimiter: deps.validateLimiter,
    trustProxy: deps.trustProxy,
  });
  // Web users' routes: their database work sees only the caller's company (decision 0007). The
  // routes above serve the gateway itself, agents and operators, and run as the gateway.
  await app.register(async (users) => {
    scopeRoutesToUsers(users);
    for (const prefix of ['/printing', '/api/v1/printing']) {
      await users.register(printerRoutes, {
        prefix,
        jwt: deps.jwt,
        printers: deps.printers,
        printerTests: deps.printerTests,
        presence: deps.printerPresence,
      });
      await users.register(printJobRoutes, { prefix, jwt: deps.jwt, jobs: deps.jobs, exports: deps.metrics.exports });
      await users.register(heldJobRoutes, { prefix, jwt: deps.jwt, heldJobs: deps.heldJobs });
      await users.register(stationRoutes, { prefix, jwt: deps.jwt, stations: deps.stations });
      await users.register(paperCheckRoutes, { prefix, jwt: deps.jwt, paperChecks: deps.paperChecks });
      await users.register(ticketPreviewRoutes, { prefix, jwt: deps.jwt, previews: deps.previews });
      await users.register(eventRoutes, {
        prefix,
        jwt: deps.jwt,
        feed: deps.eventFeed,
        heartbeatMs: deps.eventStreamHeartbeatMs ?? 15_000,
      });
      await users.register(desktopHealthRoutes, {
        prefix,
        jwt: deps.jwt,
        desktopHealth: deps.desktopHealth,
        registry: deps.registry,
      });
    }
    // Credentials (docs/credentials.md): API keys and web users' sessions.
    await users.register(apiKeyRoutes, { jwt: deps.jwt, apiKeys: deps.apiKeys });
    const tokens = new SessionTokens({ sessions: deps.sessions, jwt: deps.jwt, accessTtlS: deps.sessions.accessTtlS });
    await users.register(sessionRoutes, { jwt: deps.jwt, sessions: deps.sessions, tokens });
    await users.register(webSessionRoutes, { jwt: deps.jwt, sessions: deps.sessions, tokens });
    // The admin API (docs/admin-api.md): companies, branches, licences.
    await users.register(adminTenantRoutes, { jwt: deps.jwt, tenants: deps.tenants });
    await users.register(adminLicenceRoutes, { jwt: deps.jwt, licenses: deps.licenses, clock: deps.clock });
    await users.register(webhookRoutes, { jwt: deps.jwt, webhooks: deps.webhooks });
    await users.register(auditLogRoutes, { jwt: deps.jwt, audit: deps.auditLog, exports: deps.metrics.exports });
  });
  return app;
}
