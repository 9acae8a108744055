import type { FastifyInstance } from 'fastify';
import type pino from 'pino';
import type { JwtService } from './auth/jwt-service.js';
import type { GatewayConfig } from './config.js';
import type { Clock } from './core/clock.js';
import type { Core } from './core/create-core.js';
import { GatewayError } from './core/gateway-error.js';
import type { LifecyclePart } from './core/lifecycle.js';
import type { Stores } from './core/ports/stores.js';
import { CredentialWatch } from './gateway/credential-watch.js';
import { OriginRefusalLog } from './gateway/origin-refusal-log.js';
import { PrintingGateway } from './gateway/printing-gateway.js';
import type { RoomBroadcaster } from './gateway/room-broadcaster.js';
import type { SocketAgentLink } from './gateway/socket-agent-link.js';
import { HealthChecks, type HealthDeps } from './health/health-checks.js';
import { buildApp } from './http/build-app.js';
import type { StartupListener } from './http/startup-listener.js';
import { StartupPhases } from './http/startup-phases.js';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
import { memoryLimitBytes } from './metrics/memory-limit.js';
import type { TicketPreviews } from './ticket-previews.js';
import type { SocketAdapterFactory } from './topology.js';
import { VERSION } from './version.js';

/**
 * How long a stopping gateway leaves idle keep-alive connections open for their clients' next
 * request (answered with `Connection: close`) before closing them, ms. Longer than a health
 * poller's period; short enough not to matter to a reload.
 */
const IDLE_CONNECTION_GRACE_MS = 1_000;

export interface EdgeDeps {
  config: GatewayConfig;
  core: Core;
  stores: Stores;
  link: SocketAgentLink;
  broadcaster: RoomBroadcaster;
  jwt: JwtService;
  metrics: GatewayMetrics;
  /** Ticket previews (`/printing/jobs/:id/preview.png`, `/printing/preview`). */
  previews: TicketPreviews;
  pingDatabase: () => Promise<number>;
  /** PostgreSQL's connection pool now, for the detailed health view; absent on the embedded store. */
  databasePool?: HealthDeps['databasePool'];
  pingRedis: (() => Promise<number>) | undefined;
  listener: StartupListener;
  /** Opens the port now, when it was not opened at the start. */
  listenLate: (() => Promise<void>) | undefined;
  socketAdapter: SocketAdapterFactory | undefined;
  clock: Clock;
  logger: pino.Logger;
}

/** The HTTP API and Socket.IO on one server: what clients and agents reach. */
export interface Edge extends LifecyclePart {
  app: FastifyInstance;
  gateway: PrintingGateway;
  health: HealthChecks;
  /** The port it listens on (the real one when configured as 0). */
  readonly port: number;
  /** Listening and not draining. */
  ready(): boolean;
  websocketStats(): { agents: number; webClients: number; uniqueUsers: number; byProtocol: Record<string, number> };
}

export async function createEdge(deps: EdgeDeps): Promise<Edge> {
  const { config, core, link, clock, logger } = deps;
  let listening = false;
  const websocketStats = () => {
    const byProtocol: Record<string, number> = { v2: 0, legacy: 0 };
    for (const a of link.all()) byProtocol[a.protocol] = (byProtocol[a.protocol] ?? 0) + 1;
    return { agents: link.size, webClients: gateway.webClientCount, uniqueUsers: gateway.uniqueUserCount, byProtocol };
  };
  const health: HealthChecks = new HealthChecks({
    version: VERSION,
    startedAt: clock.now(),
    pingDatabase: deps.pingDatabase,
    ...(deps.databasePool ? { databasePool: deps.databasePool } : {}),
    pingRedis: deps.pingRedis,
    isWebsocketActive: () => listening && !app.drain.draining,
    isDraining: () => app.drain.draining,
    connections: () => websocketStats(),
    pendingRequests: () => core.pending.size,
    memoryLimitBytes: memoryLimitBytes(),
  });
  const app = await buildApp({
    ...core,
    logger,
    clock,
    version: VERSION,
    corsOrigins: config.corsOrigins,
    refusedSourcesMax: config.memory.refusedSources,
    maxBodyBytes: config.http.maxBodyBytes,
    trustProxy: config.http.trustProxy,
    jwt: deps.jwt,
    devices: deps.stores.devices,
    previews: deps.previews,
    health,
    metrics: deps.metrics,
    websocketStats,
    eventStreamHeartbeatMs: config.events.streamHeartbeatMs,
    serverFactory: deps.listener.serverFactory,
  });
  const credentials = new CredentialWatch({
    licenses: core.licenses,
    clock,
    // Web sockets: closed when their session is revoked, renewed by `auth:refresh` (docs/credentials.md).
    sessions: core.sessions.revocations,
    apiKeys: core.apiKeys,
    verify: (token) => deps.jwt.verify(token),
  });
  const origins = new OriginRefusalLog({
    clock,
    logger,
    allowed: config.corsOrigins,
    maxOrigins: config.memory.refusedSources,
  });
  const gateway = new PrintingGateway({
    ...core,
    httpServer: app.server,
    credentials,
    jwt: deps.jwt,
    devices: deps.stores.devices,
    branches: deps.stores.tenants,
    link,
    broadcaster: deps.broadcaster,
    clock,
    logger,
    instanceId: config.instanceId,
    corsOrigins: config.corsOrigins,
    trustProxy: config.http.trustProxy,
    maxMessageBytes: config.socket.maxMessageBytes,
    perMessageDeflate: config.socket.perMessageDeflate,
    adapter: deps.socketAdapter,
    pingIntervalMs: config.socket.pingIntervalMs,
    pingTimeoutMs: config.socket.pingTimeoutMs,
    onConnectionChange: (kind, delta, reason, durationMs) =>
      core.events.emit('connection', kind, delta, reason, durationMs),
    onHandshakeRefused: (kind, code) => core.events.emit('handshakeRefused', kind, code),
    onOriginRefused: (origin, address) => {
      core.events.emit('originRefused', origin, address);
      origins.refused(origin, address);
    },
  });
  return {
    name: 'http and sockets',
    app,
    gateway,
    health,
    get port() {
      return deps.listener.port ?? config.http.port;
    },
    ready: () => listening && !app.drain.draining,
    websocketStats,
    async start() {
      await app.ready();
      await deps.listenLate?.();
      // Connections held since start-up go in now, the agents' upgrades among them.
      deps.listener.open();
      listening = true;
    },
    async stop() {
      const deadline = clock.now() + config.shutdownTimeoutMs - 1_000;
      app.drain.begin();
      gateway.beginDrain();
      logger.info({ agents: link.size, inFlight: app.drain.inFlight }, 'gateway draining');
      // Fastify does not close a server it did not open: the listener stops accepting and waits for open connections.
      const httpClosed = Promise.all([app.close(), deps.listener.close()]).catch((err: unknown) =>
        logger.error({ err }, 'closing HTTP failed'),
      );
      // In-flight requests may finish; a printer test waits at most until the deadline share below.
      const steps = new StartupPhases();
      await app.drain.settled(deadline - 2_000);
      steps.mark('inFlight');
      await core.quiesce(new GatewayError('SERVICE_UNAVAILABLE', { message: 'the gateway is shutting down; retry' }));
      await gateway.close();
      credentials.close();
      steps.mark('sockets');
      // The answers to the tests just refused, and any request that came meanwhile on a connection
      // already open, go out before the connections are closed below.
      await app.drain.settled(deadline - 2_000);
      // Keep-alive clients that come back meanwhile are answered with `Connection: close`; what
      // is left after a short grace are connections that never sent a request (a client's spare
      // connection) and idle ones: neither would end by itself before its timeout (72 s).
      await new Promise<void>((resolve) => {
        const timer = clock.setTimer(Math.min(IDLE_CONNECTION_GRACE_MS, deadline - clock.now()), resolve);
        void httpClosed.then(() => {
          timer.cancel();
          resolve();
        });
      });
      steps.mark('idleGrace');
      deps.listener.server.closeAllConnections();
      await new Promise<void>((resolve) => {
        const timer = clock.setTimer(deadline - clock.now(), resolve);
        void httpClosed.then(() => {
          timer.cancel();
          resolve();
        });
      });
      health.close();
      steps.mark('connections');
      // What a slow drain (or the handover of a reload) spent its time on, ms.
      logger.info({ drainMs: steps.steps() }, 'gateway drained');
    },
  };
}
