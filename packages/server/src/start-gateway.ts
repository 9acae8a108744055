import nodeCluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type pino from 'pino';
import { AdminCommands } from './admin/admin-commands.js';
import { adminSocketPath, listenAdminSocket } from './admin/admin-socket.js';
import { JwtService } from './auth/jwt-service.js';
import { type BootstrapResult, bootstrapIfEmpty, bootstrapMessage } from './bootstrap.js';
import { type Cluster, createMemoryCluster, createRedisCluster } from './cluster/cluster.js';
import type { GatewayConfig } from './config.js';
import { AgentHealthTracker } from './core/agent-health-tracker.js';
import type { Clock } from './core/clock.js';
import { ClusterRpc } from './core/cluster-rpc.js';
import { CorrelationIds } from './core/correlation-ids.js';
import { DesktopHealthService } from './core/desktop-health-service.js';
import { GatewayError } from './core/gateway-error.js';
import { GoneSessionSweep } from './core/gone-session-sweep.js';
import { HealthService } from './core/health-service.js';
import { JobDispatcher } from './core/job-dispatcher.js';
import { JobLifecycle } from './core/job-lifecycle.js';
import { LegacyAgentVerifier } from './core/legacy-agent-verifier.js';
import { LicenseService } from './core/license-service.js';
import { PendingRequests } from './core/pending-requests.js';
import type { RateLimiter } from './core/ports/rate-limiter.js';
import { PrintJobService } from './core/print-job-service.js';
import { PrinterPresence } from './core/printer-presence.js';
import { PrinterService } from './core/printer-service.js';
import { type PrinterTestReply, PrinterTestService } from './core/printer-test-service.js';
import { ServiceRegistryService } from './core/service-registry-service.js';
import { isTrackingTenantScopes, runAsGateway } from './core/tenant-scope.js';
import { TenantService } from './core/tenant-service.js';
import { WriteTargetLocator } from './core/write-target-locator.js';
import { CredentialWatch } from './gateway/credential-watch.js';
import { PrintingGateway } from './gateway/printing-gateway.js';
import { RoomBroadcaster } from './gateway/room-broadcaster.js';
import { SocketAgentLink } from './gateway/socket-agent-link.js';
import { HealthChecks } from './health/health-checks.js';
import { buildApp } from './http/build-app.js';
import { StartupListener } from './http/startup-listener.js';
import { createLogger } from './logger.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { memoryLimitBytes } from './metrics/memory-limit.js';
import { type Database, openDatabase } from './store/database.js';
import { DbLicenseChangeFeed } from './store/db-license-change-feed.js';
import { writeBackupFile } from './store/embedded-backup.js';
import { migrate, migrationStatus } from './store/migrator.js';
import { createStores, type Stores } from './store/stores.js';
import { systemClock } from './system-clock.js';
import { TicketRenderPool } from './ticket-render-pool.js';
import { VERSION } from './version.js';

/** How long an agent's directory entry lives without a refresh, ms. */
const DIRECTORY_TTL_MS = 90_000;
const INSTANCE_TTL_MS = 30_000;

export interface RunningGateway {
  /** The port it listens on (useful with PORT=0). */
  port: number;
  url: string;
  instanceId: string;
  logger: pino.Logger;
  database: Database;
  stores: Stores;
  cluster: Cluster;
  jwt: JwtService;
  licenses: LicenseService;
  tenants: TenantService;
  /** Set when this start created the default tenant. */
  bootstrap: BootstrapResult | undefined;
  /** Graceful stop (drain), bounded by PRINTERMASTER_SHUTDOWN_TIMEOUT_MS. Idempotent. */
  stop(reason?: string): Promise<void>;
}

export interface StartOptions {
  /** Log destination (tests capture logs); default stdout. */
  logDestination?: pino.DestinationStream;
  /** Where the one-time bootstrap message goes; default stdout. */
  announce?: (text: string) => void;
}

/** Refused start: the message says what to do. */
export class StartupError extends Error {}

/** Opens the store and applies (embedded) or checks (PostgreSQL) migrations. */
export async function openStore(config: GatewayConfig): Promise<Database> {
  const database = await openDatabase(
    config.database.url
      ? {
          kind: 'postgres',
          url: config.database.url,
          poolSize: config.database.poolSize,
          schema: config.database.schema,
          applicationName: `printermaster:${config.instanceId}`,
        }
      : { kind: 'pglite', dataDir: config.database.dataDir, lockWaitMs: config.database.lockWaitMs },
  );
  try {
    if (database.kind === 'pglite') {
      await migrate(database);
    } else {
      const status = await migrationStatus(database);
      if (status.pending.length > 0) {
        throw new StartupError(
          `the database ${database.description} is missing ${status.pending.length} migration(s) ` +
            `(${status.pending.map((m) => `${m.version}_${m.name}`).join(', ')}); run \`npx printermaster migrate\` first`,
        );
      }
    }
    return database;
  } catch (err) {
    await database.close();
    throw err;
  }
}

/** The JWT secret: configured, or (development) generated once and kept in the store. */
export async function resolveJwtSecret(config: GatewayConfig, stores: Stores): Promise<string> {
  if (config.jwt.secret) return config.jwt.secret;
  const existing = await stores.meta.get<string>('dev_jwt_secret');
  if (existing) return existing;
  await stores.meta.putIfAbsent('dev_jwt_secret', randomBytes(48).toString('base64url'));
  return (await stores.meta.get<string>('dev_jwt_secret')) as string;
}

/** Starts the gateway: store, cluster state, services, HTTP API and Socket.IO on one port. The composition root. */
export async function startGateway(config: GatewayConfig, options: StartOptions = {}): Promise<RunningGateway> {
  const logger = createLogger({
    level: config.logLevel,
    instanceId: config.instanceId,
    destination: options.logDestination,
  });
  const listener = new StartupListener(logger);
  const listen = async () => {
    try {
      await listener.listen(config.http.host, config.http.port, config.http.listenBacklog);
    } catch (err) {
      throw new StartupError(`cannot listen on ${config.http.host}:${config.http.port}: ${(err as Error).message}`);
    }
  };
  // The port opens first and holds what arrives until the gateway is ready (decision 0005), except
  // in a pm2 cluster-mode worker: the cluster hands connections round-robin to every worker that
  // listens, and the old, ready worker should keep taking them while this one starts.
  const early = config.http.listenEarly && !nodeCluster.isWorker;
  if (early) await listen();
  try {
    return await serve(config, options, logger, listener, early ? undefined : listen);
  } catch (err) {
    await listener.abort();
    throw err;
  }
}

/** Everything after the port is open: store, cluster state, services, HTTP API and Socket.IO. */
async function serve(
  config: GatewayConfig,
  options: StartOptions,
  logger: ReturnType<typeof createLogger>,
  listener: StartupListener,
  /** Opens the port now, when it was not opened at the start. */
  listenLate: (() => Promise<void>) | undefined,
): Promise<RunningGateway> {
  const database = await openStore(config);
  let cluster: Cluster;
  try {
    cluster = config.redisUrl
      ? await createRedisCluster(config.redisUrl, logger, config.redisPrefix)
      : createMemoryCluster();
  } catch (err) {
    await database.close();
    throw new StartupError((err as Error).message);
  }
  try {
    return await serveOn(config, options, logger, listener, database, cluster, listenLate);
  } catch (err) {
    // A start that fails anywhere (a store read, a Redis subscription, the HTTP app) lets go of
    // the store (and its data directory lock) and of Redis, so that the process can end.
    await cluster.close().catch(() => {});
    await database.close().catch(() => {});
    throw err;
  }
}

/** The services, HTTP API and Socket.IO on an open store and cluster; closes neither if it fails. */
async function serveOn(
  config: GatewayConfig,
  options: StartOptions,
  logger: ReturnType<typeof createLogger>,
  listener: StartupListener,
  database: Database,
  cluster: Cluster,
  listenLate: (() => Promise<void>) | undefined,
): Promise<RunningGateway> {
  const clock = systemClock;
  const instanceId = config.instanceId;
  const stores = createStores(database, (err) => logger.error({ err }, 'audit log write failed'));
  const jwt = new JwtService(await resolveJwtSecret(config, stores), config.jwt.expiresIn);
  const metrics = new GatewayMetrics(VERSION);
  const rpc = new ClusterRpc(cluster.bus, instanceId, logger);
  await rpc.start();

  const link = new SocketAgentLink();
  const broadcaster = new RoomBroadcaster(logger, {
    statusBatchWindowMs: 100,
    localOnly: cluster.kind !== 'redis',
    onStatusBatch: (size) => {
      metrics.statusBatches.inc();
      metrics.statusBatchSize.observe(size);
    },
  });
  const limited = (limiter: RateLimiter, scope: string): RateLimiter => {
    const counted = (wait: number | undefined): number | undefined => {
      if (wait !== undefined) metrics.rateLimitRejections.inc({ scope });
      return wait;
    };
    return { consume: (key) => limiter.consume(key).then(counted) };
  };
  const tenants = new TenantService(stores.tenants, stores.audit);
  const licenses = new LicenseService(
    stores.licenses,
    stores.tenants,
    stores.audit,
    clock,
    new DbLicenseChangeFeed(database, (live) => {
      if (live) logger.info('licence change notices heard again; licences are kept in memory again');
      else logger.warn('licence change notices lost; every handshake reads its licence until they are back');
    }),
  );
  await licenses.startCache();
  const printers = new PrinterService(
    stores.printers,
    stores.licenses,
    stores.tenants,
    stores.audit,
    broadcaster,
    clock,
  );
  // Printer tests read printers from a per-process cache; other processes drop what this one changed.
  if (cluster.kind === 'redis') {
    printers.onChanged((printerId) => {
      cluster.bus
        .publish('printers.changed', { printerId, from: instanceId })
        .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'printer change notice not published'));
    });
  }
  await cluster.bus.subscribe('printers.changed', (message) => {
    const { printerId, from } = message as { printerId: string; from: string };
    if (from !== instanceId) printers.forget(printerId);
  });
  const lifecycle = new JobLifecycle(stores.jobs, broadcaster, clock, logger);
  lifecycle.onTransition((job, from) => {
    metrics.jobTransitions.inc({ from: from ?? 'none', to: job.state });
    if (job.state === 'completed' && job.completedAt)
      metrics.jobDuration.observe((job.completedAt.getTime() - job.createdAt.getTime()) / 1000);
    if (job.state === 'expired') metrics.jobsExpired.inc();
    if (job.state === 'unconfirmed') metrics.jobsUnconfirmed.inc();
  });
  // Creating a job reads the printer from the cache the printer tests use: no store round trip per job.
  const printerLookup = { find: (id: string) => printers.findCached(id) };
  // Documents render on worker threads: images must not stall the event loop (health probes, sockets).
  const renderer = new TicketRenderPool({
    ...config.render,
    onRendered: (outcome, where, durationMs) => {
      metrics.renders.inc({ outcome, where });
      metrics.renderDuration.observe({ where }, durationMs / 1000);
    },
  });
  const jobs = new PrintJobService(stores.jobs, printerLookup, lifecycle, renderer, clock, {
    defaultTtlMs: config.jobs.defaultTtlMs,
    maxTtlMs: config.jobs.maxTtlMs,
    maxJobBytes: config.jobs.maxJobBytes,
    idempotencyWindowMs: config.jobs.idempotencyWindowMs,
    outcomeGraceMs: config.jobs.outcomeGraceMs,
  });
  const dispatcher = new JobDispatcher(stores.jobs, stores.printers, link, lifecycle, logger, {
    ackTimeoutMs: config.jobs.ackTimeoutMs,
    batchSize: config.jobs.dispatchBatchSize,
  });
  // The process that holds the branch's agent dispatches; tell the others a job is waiting.
  // Dispatch is the gateway's own work, not the submitting user's (decision 0007).
  jobs.onCreated((job) => {
    void runAsGateway(() => dispatcher.kick(job.branchId, job));
    if (cluster.kind === 'redis') {
      cluster.bus
        .publish('jobs.ready', { branchId: job.branchId, from: instanceId })
        .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'job notice not published'));
    }
  });
  await cluster.bus.subscribe('jobs.ready', (message) => {
    const { branchId, from } = message as { branchId: string; from: string };
    if (from !== instanceId && link.agentsInBranch(branchId).length > 0) void dispatcher.kick(branchId);
  });
  const pending = new PendingRequests<PrinterTestReply>({
    maxPending: config.requests.maxPending,
    now: clock.now,
    onTimeout: (info) => {
      metrics.requestTimeouts.inc({ type: info.type });
      logger.warn(
        { correlationId: info.correlationId, type: info.type, acknowledged: info.acknowledgedAt !== undefined },
        'Request timeout',
      );
    },
    onResolve: (info, ms) => metrics.correlationResolution.observe({ type: info.type }, ms / 1000),
  });
  const printerTests = new PrinterTestService(
    printers,
    stores.tenants,
    link,
    pending,
    new CorrelationIds(clock),
    {
      branch: limited(
        cluster.rateLimiter(config.rateLimits.testsPerBranchPerMinute, 60, 'test-branch'),
        'printer_test_branch',
      ),
      printer: limited(
        cluster.rateLimiter(config.rateLimits.testsPerPrinterPerMinute, 60, 'test-printer'),
        'printer_test_printer',
      ),
    },
    broadcaster,
    clock,
    logger,
    { timeoutMs: config.requests.printerTestTimeoutMs },
    cluster.directory,
    rpc,
  );
  const health = new HealthService(stores.health);
  const tracker = new AgentHealthTracker(cluster.directory, broadcaster, clock, logger, {
    instanceId,
    directoryTtlMs: DIRECTORY_TTL_MS,
    onLatencySample: (seconds) => metrics.agentLatency.observe(seconds),
  });
  const desktopHealth = new DesktopHealthService(cluster.directory, tracker, rpc, clock);
  const registry = new ServiceRegistryService(cluster.instances, cluster.directory, clock);

  let bootstrap: BootstrapResult | undefined;
  if (config.bootstrap) {
    bootstrap = await bootstrapIfEmpty({
      tenants: stores.tenants,
      tenantService: tenants,
      licenses,
      jwt,
      meta: stores.meta,
    });
  }
  // The embedded store has one process, so every open session is a leftover of a previous run.
  await stores.devices.closeOrphanSessions(database.kind === 'pglite' ? undefined : instanceId, 'gateway restarted');
  // On PostgreSQL with Redis, sessions of a process that crashed are closed once it is missing from
  // the instance registry. Without Redis this process sees no other and could not tell a crashed
  // process from one in the middle of a rolling reload: no sweep.
  const goneSessions =
    database.kind === 'postgres' && cluster.kind === 'redis'
      ? new GoneSessionSweep(async () => (await cluster.instances.list()).map((i) => i.id), stores.devices, logger, {
          instanceId,
          minAgeMs: 2 * INSTANCE_TTL_MS,
        })
      : undefined;
  const closeGoneSessions = async (): Promise<void> => {
    await goneSessions?.sweep();
  };

  let gateway: PrintingGateway | undefined;
  let stopping = false;
  let listening = false;
  let requestCount = 0;
  let inFlight = 0;
  const startedAt = clock.now();
  const limitBytes = memoryLimitBytes();
  const websocketStats = () => {
    const byProtocol: Record<string, number> = { v2: 0, legacy: 0 };
    for (const a of link.all()) byProtocol[a.protocol] = (byProtocol[a.protocol] ?? 0) + 1;
    return {
      agents: link.size,
      webClients: gateway?.webClientCount ?? 0,
      uniqueUsers: gateway?.uniqueUserCount ?? 0,
      byProtocol,
    };
  };
  const checks = new HealthChecks({
    version: VERSION,
    startedAt,
    pingDatabase: () => database.ping(),
    pingRedis: cluster.kind === 'redis' ? () => cluster.ping() : undefined,
    isWebsocketActive: () => gateway !== undefined && listening && !stopping,
    isDraining: () => stopping,
    connections: () => {
      const s = websocketStats();
      return { agents: s.agents, webClients: s.webClients, uniqueUsers: s.uniqueUsers };
    },
    pendingRequests: () => pending.size,
    memoryLimitBytes: limitBytes,
  });
  metrics.collectFrom(metrics.connections, () => ({ agent: link.size, web: gateway?.webClientCount ?? 0 }), 'kind');
  metrics.collectFrom(metrics.agentsConnected, () => websocketStats().byProtocol, 'protocol');
  metrics.collectFrom(metrics.agentsByQuality, () => tracker.counts().byQuality, 'quality');
  metrics.collectFrom(metrics.printJobs, () => stores.jobs.countByState().catch(() => ({})), 'state');
  metrics.collectValue(metrics.uniqueUsers, () => gateway?.uniqueUserCount ?? 0);
  metrics.collectValue(metrics.agentsHighLatency, () => tracker.counts().highLatency);
  metrics.collectValue(metrics.pendingRequests, () => pending.size);
  metrics.collectValue(metrics.ready, () => (listening && !stopping ? 1 : 0));
  metrics.collectFrom(metrics.renderDocuments, () => renderer.load(), 'state');

  const app = await buildApp({
    logger,
    version: VERSION,
    corsOrigins: config.corsOrigins,
    maxBodyBytes: config.http.maxBodyBytes,
    trustProxy: config.http.trustProxy,
    jwt,
    licenses,
    printers,
    printerTests,
    printerPresence: new PrinterPresence(cluster.directory),
    jobs,
    devices: stores.devices,
    legacyAgents: new LegacyAgentVerifier(link, cluster.directory, stores.devices, licenses),
    validateLimiter: limited(cluster.rateLimiter(60, 60, 'licence-validate'), 'licence_validate'),
    // Jobs must not stop when Redis does: the write limits then count per process.
    writeLimits: {
      perBranch: limited(
        cluster.rateLimiter(config.rateLimits.writesPerBranchPerMinute, 60, 'write-branch', {
          perProcessWhenUnreachable: true,
        }),
        'write_branch',
      ),
      perCredential: limited(
        cluster.rateLimiter(config.rateLimits.writesPerCredentialPerMinute, 60, 'write-credential', {
          perProcessWhenUnreachable: true,
        }),
        'write_credential',
      ),
      targets: new WriteTargetLocator(printers, stores.jobs, stores.tenants),
    },
    health: checks,
    metrics,
    desktopHealth,
    registry,
    websocketStats,
    onRequest: () => {
      requestCount++;
    },
    serverFactory: listener.serverFactory,
  });
  // A request counts until its response is closed: sent, or its client gone. Fastify's onResponse
  // never runs for a request whose client hung up first, and counting on it left one request
  // "in flight" for the life of the process, so every drain ran to its deadline. A handler still
  // working for a vanished client is not waited for: whatever it stored is stored, and its client
  // never saw an answer (an idempotency key makes the retry safe). A callback hook, not an async
  // one: an async hook costs every request a promise and a microtask turn.
  const requestClosed = () => {
    inFlight--;
  };
  app.addHook('onRequest', (_request, reply, done) => {
    inFlight++;
    reply.raw.once('close', requestClosed);
    // While draining, each answer closes its connection: the client's next request opens a new one,
    // which reaches a process that is not stopping (pm2 reload, rolling restart).
    if (stopping) void reply.header('connection', 'close');
    done();
  });
  /** When each refused browser origin was last logged, ms. */
  const originsLogged = new Map<string, number>();
  const credentials = new CredentialWatch({ licenses, clock });
  gateway = new PrintingGateway(app.server, {
    licenses,
    credentials,
    jwt,
    printers,
    printerTests,
    lifecycle,
    dispatcher,
    health,
    tracker,
    devices: stores.devices,
    link,
    broadcaster,
    clock,
    logger,
    instanceId,
    corsOrigins: config.corsOrigins,
    trustProxy: config.http.trustProxy,
    maxMessageBytes: config.socket.maxMessageBytes,
    perMessageDeflate: config.socket.perMessageDeflate,
    adapter: cluster.socketAdapter(),
    pingIntervalMs: config.socket.pingIntervalMs,
    pingTimeoutMs: config.socket.pingTimeoutMs,
    onConnectionChange: (kind, delta, reason, durationMs) => {
      if (delta > 0) metrics.connects.inc({ kind });
      else {
        metrics.disconnects.inc({ kind, reason: reason ?? 'unknown' });
        if (durationMs !== undefined) metrics.connectionDuration.observe({ kind }, durationMs / 1000);
      }
    },
    onOriginRefused: (origin, address) => {
      metrics.originRejections.inc();
      // Once a minute per origin: a refused browser page retries every few seconds.
      const now = clock.now();
      if ((originsLogged.get(origin) ?? 0) > now - 60_000) return;
      if (originsLogged.size >= 1_000) originsLogged.clear();
      originsLogged.set(origin, now);
      logger.warn(
        { origin, address, allowed: config.corsOrigins },
        'socket connection refused: its origin is not in CORS_ORIGINS',
      );
    },
  });

  const timers = [
    every(config.jobs.expirySweepIntervalMs, async () => {
      const { expired, unconfirmed } = await jobs.expireDue();
      if (expired > 0) logger.info({ count: expired }, `Expired ${expired} print jobs past their useful-until time`);
      if (unconfirmed > 0)
        logger.warn(
          { count: unconfirmed },
          `${unconfirmed} print jobs delivered to agents had no outcome past their useful-until time; now unconfirmed`,
        );
    }),
    every(config.requests.staleSweepIntervalMs, async () => {
      const removed = pending.sweep();
      if (removed > 0) {
        metrics.staleRequestsCleaned.inc(removed);
        logger.warn({ count: removed }, `Cleaned up ${removed} stale requests`);
      }
      logger.info({ pending: pending.size }, `Active pending requests: ${pending.size}`);
    }),
    every(config.jobs.redispatchIntervalMs, async () => {
      await Promise.all(link.branchesWithAgents().map((b) => dispatcher.kick(b)));
    }),
    every(DIRECTORY_TTL_MS / 3, async () => {
      await cluster.directory.putMany(tracker.records(), DIRECTORY_TTL_MS);
    }),
    every(INSTANCE_TTL_MS / 3, () => heartbeat()),
    every(INSTANCE_TTL_MS, closeGoneSessions),
    every(3_600_000, async () => {
      await jobs.purgeIdempotencyKeys();
    }),
  ];
  function every(ms: number, task: () => Promise<void>): ReturnType<typeof setInterval> {
    let busy = false;
    const t = setInterval(() => {
      if (busy) return;
      busy = true;
      task()
        .catch((err: unknown) => logger.error({ err }, 'periodic task failed'))
        .finally(() => {
          busy = false;
        });
    }, ms);
    t.unref();
    return t;
  }

  let port = config.http.port;
  async function heartbeat(): Promise<void> {
    await cluster.instances.heartbeat(
      {
        id: instanceId,
        host: hostname(),
        port,
        version: VERSION,
        startedAt,
        lastSeen: clock.now(),
        connectionCount: link.size + (gateway?.webClientCount ?? 0),
        requestCount,
        ready: listening && !stopping,
      },
      INSTANCE_TTL_MS,
    );
  }

  try {
    await app.ready();
    await listenLate?.();
  } catch (err) {
    for (const t of timers) clearInterval(t);
    await gateway.close().catch(() => {});
    await renderer.close().catch(() => {});
    throw err;
  }
  // Connections held since start-up go in now, the agents' upgrades among them.
  listener.open();
  listening = true;
  // The embedded store is locked by this process; `printermaster admin` reaches it through this socket.
  const adminServer =
    database.kind === 'pglite' && config.database.dataDir !== 'memory'
      ? await listenAdminSocket(
          adminSocketPath(config.database.dataDir),
          new AdminCommands(tenants, licenses, jwt, async (file) => {
            const bytes = await (database.backup as () => Promise<Uint8Array>)();
            writeBackupFile(file, bytes);
            logger.info({ file, byteLength: bytes.byteLength }, 'backup written');
            return bytes.byteLength;
          }),
          logger,
        )
      : undefined;
  const address = app.server.address();
  port = typeof address === 'object' && address ? address.port : config.http.port;
  await heartbeat().catch((err: unknown) => logger.error({ err }, 'instance registration failed'));
  // The secrets first: whoever waits for "gateway listening" (a script, a test) then has them already.
  if (bootstrap) {
    (options.announce ?? ((t) => process.stdout.write(t)))(
      bootstrapMessage(bootstrap, config.http.publicUrl.replace(`:${config.http.port}`, `:${port}`)),
    );
  }
  logger.info(
    {
      port,
      store: database.description,
      cluster: cluster.kind,
      version: VERSION,
      node: process.version,
      rowLevelSecurity: isTrackingTenantScopes(),
    },
    'gateway listening',
  );
  // Housekeeping, off the start-up path: during a rolling reload the old worker stops as soon as
  // this one is ready, so nothing that can wait should stand before ready.
  void closeGoneSessions().catch((err: unknown) =>
    logger.error({ err }, 'closing the sessions of gateway processes that are gone failed'),
  );

  let stopped: Promise<void> | undefined;
  const stop = (reason = 'stop'): Promise<void> => {
    stopped ??= (async () => {
      const started = clock.now();
      const deadline = started + config.shutdownTimeoutMs - 1_000;
      stopping = true;
      gateway?.beginDrain();
      logger.info({ reason, agents: link.size, inFlight }, 'gateway draining');
      for (const t of timers) clearInterval(t);
      // Fastify does not close a server it did not open: the listener stops accepting and waits for open connections.
      const httpClosed = Promise.all([app.close(), listener.close()]).catch((err: unknown) =>
        logger.error({ err }, 'closing HTTP failed'),
      );
      // In-flight requests may finish; a printer test waits at most until the deadline share below.
      // Closing the port closed the keep-alive connections idle at that moment; those whose answer
      // goes out meanwhile are closed as they fall idle.
      const settle = async () => {
        while (inFlight > 0 && clock.now() < deadline - 2_000) {
          await new Promise((r) => setTimeout(r, 50));
          listener.server.closeIdleConnections();
        }
      };
      await settle();
      pending.rejectAll(new GatewayError('SERVICE_UNAVAILABLE', { message: 'the gateway is shutting down; retry' }));
      await dispatcher.close();
      await gateway?.close();
      // The answers to the tests just refused, and any request that came meanwhile on a connection
      // already open, go out before the connections are closed below.
      await settle();
      // No request is being handled any more (or the deadline came). What is left are connections
      // that never sent a request (a client's spare connection, opened ahead of need) and those that
      // fell idle since: neither would end by itself before its timeout (72 s), and each would hold
      // the stop until the deadline. Agents' WebSockets are not among these: they were closed with
      // the gateway above.
      listener.server.closeAllConnections();
      await Promise.race([httpClosed, new Promise((r) => setTimeout(r, Math.max(0, deadline - clock.now())).unref())]);
      adminServer?.close();
      checks.close();
      await renderer.close().catch((err: unknown) => logger.error({ err }, 'closing the render threads failed'));
      await cluster.instances.remove(instanceId).catch(() => {});
      await cluster.close().catch((err: unknown) => logger.error({ err }, 'closing the cluster connection failed'));
      credentials.close();
      await licenses.stopCache();
      // Session closes of the sockets just closed may still be gathering for a group commit.
      await stores.flush().catch((err: unknown) => logger.error({ err }, 'writing the last device sessions failed'));
      await database.close().catch((err: unknown) => logger.error({ err }, 'closing the store failed'));
      logger.info({ reason, durationMs: clock.now() - started }, 'gateway stopped');
    })();
    return stopped;
  };

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    instanceId,
    logger,
    database,
    stores,
    cluster,
    jwt,
    licenses,
    tenants,
    bootstrap,
    stop,
  };
}
