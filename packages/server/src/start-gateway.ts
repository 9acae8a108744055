import { randomBytes } from 'node:crypto';
import type pino from 'pino';
import { AdminCommands } from './admin/admin-commands.js';
import { adminSocketPath, listenAdminSocket } from './admin/admin-socket.js';
import { JwtService } from './auth/jwt-service.js';
import { type BootstrapResult, bootstrapIfEmpty, bootstrapMessage } from './bootstrap.js';
import { MemoryRateLimiter } from './cluster/memory-rate-limiter.js';
import type { GatewayConfig } from './config.js';
import type { Clock } from './core/clock.js';
import { CorrelationIds } from './core/correlation-ids.js';
import { GatewayError } from './core/gateway-error.js';
import { HealthService } from './core/health-service.js';
import { JobDispatcher } from './core/job-dispatcher.js';
import { JobLifecycle } from './core/job-lifecycle.js';
import { LicenseService } from './core/license-service.js';
import { PendingRequests } from './core/pending-requests.js';
import { PrintJobService } from './core/print-job-service.js';
import { PrinterService } from './core/printer-service.js';
import { type PrinterTestReply, PrinterTestService } from './core/printer-test-service.js';
import { TenantService } from './core/tenant-service.js';
import { PrintingGateway } from './gateway/printing-gateway.js';
import { RoomBroadcaster } from './gateway/room-broadcaster.js';
import { SocketAgentLink } from './gateway/socket-agent-link.js';
import { buildApp } from './http/build-app.js';
import { createLogger } from './logger.js';
import { type Database, openDatabase } from './store/database.js';
import { migrate, migrationStatus } from './store/migrator.js';
import { createStores, type Stores } from './store/stores.js';
import { escposRenderer } from './ticket-renderer.js';
import { VERSION } from './version.js';

export const systemClock: Clock = { now: () => Date.now() };

export interface RunningGateway {
  /** The port it listens on (useful with PORT=0). */
  port: number;
  url: string;
  logger: pino.Logger;
  database: Database;
  stores: Stores;
  jwt: JwtService;
  licenses: LicenseService;
  tenants: TenantService;
  /** Set when this start created the default tenant. */
  bootstrap: BootstrapResult | undefined;
  /** Graceful stop: not ready, close transports, finish requests, close the store. Idempotent. */
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
        }
      : { kind: 'pglite', dataDir: config.database.dataDir },
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

/** Starts the gateway: store, services, HTTP API and Socket.IO on one port. The composition root. */
export async function startGateway(config: GatewayConfig, options: StartOptions = {}): Promise<RunningGateway> {
  const logger = createLogger({
    level: config.logLevel,
    instanceId: config.instanceId,
    destination: options.logDestination,
  });
  const clock = systemClock;
  const database = await openStore(config);
  const stores = createStores(database, (err) => logger.error({ err }, 'audit log write failed'));
  const jwt = new JwtService(await resolveJwtSecret(config, stores), config.jwt.expiresIn);

  const link = new SocketAgentLink();
  const broadcaster = new RoomBroadcaster(logger, { statusBatchWindowMs: 100 });
  const tenants = new TenantService(stores.tenants, stores.audit);
  const licenses = new LicenseService(stores.licenses, stores.tenants, stores.audit, clock);
  const printers = new PrinterService(
    stores.printers,
    stores.licenses,
    stores.tenants,
    stores.audit,
    broadcaster,
    clock,
  );
  const lifecycle = new JobLifecycle(stores.jobs, broadcaster, clock, logger);
  const jobs = new PrintJobService(stores.jobs, stores.printers, lifecycle, escposRenderer, clock, {
    defaultTtlMs: config.jobs.defaultTtlMs,
    maxTtlMs: config.jobs.maxTtlMs,
    maxJobBytes: config.jobs.maxJobBytes,
    idempotencyWindowMs: config.jobs.idempotencyWindowMs,
  });
  const dispatcher = new JobDispatcher(stores.jobs, stores.printers, link, lifecycle, logger, {
    ackTimeoutMs: config.jobs.ackTimeoutMs,
    batchSize: 200,
  });
  jobs.onCreated((job) => void dispatcher.kick(job.branchId));
  const pending = new PendingRequests<PrinterTestReply>({
    maxPending: config.requests.maxPending,
    now: clock.now,
    onTimeout: (info) =>
      logger.warn(
        { correlationId: info.correlationId, type: info.type, acknowledged: info.acknowledgedAt !== undefined },
        'Request timeout',
      ),
  });
  const printerTests = new PrinterTestService(
    printers,
    stores.tenants,
    link,
    pending,
    new CorrelationIds(clock),
    {
      branch: new MemoryRateLimiter(config.rateLimits.testsPerBranchPerMinute, 60),
      printer: new MemoryRateLimiter(config.rateLimits.testsPerPrinterPerMinute, 60),
    },
    broadcaster,
    clock,
    logger,
    { timeoutMs: config.requests.printerTestTimeoutMs },
  );
  const health = new HealthService(stores.health);

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
  await stores.devices.closeOrphanSessions(
    database.kind === 'pglite' ? undefined : config.instanceId,
    'gateway restarted',
  );

  let gateway: PrintingGateway | undefined;
  let stopping = false;
  const startedAt = clock.now();
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
    jobs,
    devices: stores.devices,
    link,
    validateLimiter: new MemoryRateLimiter(60, 60),
    health: {
      pingDatabase: () => database.ping(),
      isWebsocketActive: () => gateway !== undefined && !stopping,
      startedAt,
    },
  });
  gateway = new PrintingGateway(app.server, {
    licenses,
    jwt,
    printers,
    printerTests,
    lifecycle,
    dispatcher,
    health,
    devices: stores.devices,
    link,
    broadcaster,
    clock,
    logger,
    instanceId: config.instanceId,
    corsOrigins: config.corsOrigins,
    trustProxy: config.http.trustProxy,
    maxMessageBytes: config.socket.maxMessageBytes,
    pingIntervalMs: config.socket.pingIntervalMs,
    pingTimeoutMs: config.socket.pingTimeoutMs,
  });

  const timers = [
    every(config.jobs.expirySweepIntervalMs, async () => {
      const n = await jobs.expireDue();
      if (n > 0) logger.info({ count: n }, `Expired ${n} print jobs past their useful-until time`);
    }),
    every(config.requests.staleSweepIntervalMs, async () => {
      const removed = pending.sweep();
      if (removed > 0) logger.warn({ count: removed }, `Cleaned up ${removed} stale requests`);
      logger.info({ pending: pending.size }, `Active pending requests: ${pending.size}`);
    }),
    every(config.jobs.redispatchIntervalMs, async () => {
      await Promise.all(link.branchesWithAgents().map((b) => dispatcher.kick(b)));
    }),
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

  try {
    await app.listen({ host: config.http.host, port: config.http.port });
  } catch (err) {
    for (const t of timers) clearInterval(t);
    await gateway.close().catch(() => {});
    await database.close();
    throw new StartupError(`cannot listen on ${config.http.host}:${config.http.port}: ${(err as Error).message}`);
  }
  // The embedded store is locked by this process; `printermaster admin` reaches it through this socket.
  const adminServer =
    database.kind === 'pglite' && config.database.dataDir !== 'memory'
      ? await listenAdminSocket(
          adminSocketPath(config.database.dataDir),
          new AdminCommands(tenants, licenses, jwt),
          logger,
        )
      : undefined;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  logger.info({ port, store: database.description, version: VERSION, node: process.version }, 'gateway listening');
  if (bootstrap)
    (options.announce ?? ((t) => process.stdout.write(t)))(
      bootstrapMessage(bootstrap, config.http.publicUrl.replace(':3001', `:${port}`)),
    );

  let stopped: Promise<void> | undefined;
  const stop = (reason = 'stop'): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      logger.info({ reason }, 'gateway stopping');
      for (const t of timers) clearInterval(t);
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownTimeoutMs).unref());
      const drain = (async () => {
        await dispatcher.close();
        await gateway?.close();
        await app.close();
        pending.rejectAll(new GatewayError('SERVICE_UNAVAILABLE', { message: 'the gateway is shutting down' }));
      })().catch((err: unknown) => logger.error({ err }, 'drain failed'));
      await Promise.race([drain, deadline]);
      adminServer?.close();
      await database.close().catch((err: unknown) => logger.error({ err }, 'closing the store failed'));
      logger.info({ reason }, 'gateway stopped');
    })();
    return stopped;
  };

  return { port, url: `http://127.0.0.1:${port}`, logger, database, stores, jwt, licenses, tenants, bootstrap, stop };
}
