import nodeCluster from 'node:cluster';
import { AdminCommands } from './admin/admin-commands.js';
import { type HandoverStep, listenAdminSocket } from './admin/admin-socket.js';
import { prepareHandover, requestHandover } from './admin/request-handover.js';
import { JwtService } from './auth/jwt-service.js';
import { otherCredentials } from './auth/other-credentials.js';
import { SessionTokens } from './auth/session-tokens.js';
import { bootstrapIfEmpty, bootstrapMessage } from './bootstrap.js';
import { openCluster } from './cluster/cluster.js';
import type { GatewayConfig } from './config.js';
import { CoreEvents } from './core/core-events.js';
import { createCore } from './core/create-core.js';
import { Lifecycle } from './core/lifecycle.js';
import { isTrackingTenantScopes } from './core/tenant-scope.js';
import { RoomBroadcaster } from './gateway/room-broadcaster.js';
import { SocketAgentLink } from './gateway/socket-agent-link.js';
import { createEdge } from './gateway-edge.js';
import { DIRECTORY_TTL_MS, housekeepingPart } from './housekeeping-part.js';
import { StartupListener } from './http/startup-listener.js';
import { StartupPhases } from './http/startup-phases.js';
import { createLogger } from './logger.js';
import { bindGatewayMetrics } from './metrics/bind-metrics.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import type { RunningGateway, StartOptions } from './running-gateway.js';
import { DataDirLock } from './store/data-dir-lock.js';
import { dbCredentialChangeFeeds } from './store/db-credential-change-feeds.js';
import { DbLicenseChangeFeed } from './store/db-license-change-feed.js';
import { backupTo } from './store/embedded-backup.js';
import { EmbeddedVacuum } from './store/embedded-vacuum.js';
import { closeStore, resolveJwtSecret, storeToOpen } from './store/open-store.js';
import { PgWebhookStore } from './store/pg-webhook-store.js';
import { preloadPglite } from './store/pglite-preload.js';
import { createStores } from './store/stores.js';
import { systemClock } from './system-clock.js';
import { TicketPreviews } from './ticket-previews.js';
import { TicketRenderPool } from './ticket-render-pool.js';
import { topologyOf } from './topology.js';
import { VERSION } from './version.js';
import { HttpWebhookSender } from './webhooks/http-webhook-sender.js';
import { WebhookUrlGuard } from './webhooks/webhook-url-guard.js';

export type { RunningGateway, StartOptions } from './running-gateway.js';

/** How long a gateway told that a successor is getting ready closes each connection after its answer, ms. */
const HANDOVER_PREPARE_MS = 30_000;
/**
 * How old a successor process is at the latest when it listens, ms: 2 s before pm2's listen timeout
 * (10 s in the documented command). Not earlier: listening while it still compiles PGlite or builds
 * (which hold its event loop) would hold requests for that long too.
 */
const SUCCESSOR_LISTENS_BY_MS = 8_000;

export { StartupError } from './startup-error.js';
export { openStore, resolveJwtSecret } from './store/open-store.js';

/**
 * The composition root: opens the store and the cluster state, builds the core on them, puts
 * the HTTP API and Socket.IO in front, and starts the housekeeping. Each part is started in
 * this order and stopped in the reverse order (core/lifecycle.ts).
 */
export async function startGateway(config: GatewayConfig, options: StartOptions = {}): Promise<RunningGateway> {
  const clock = systemClock;
  const { instanceId } = config;
  const logger = createLogger({ level: config.logLevel, instanceId, destination: options.logDestination });
  const life = new Lifecycle(logger);
  // One stop, whoever asks first: a signal, the caller, or a successor's handover.
  let stopped: Promise<void> | undefined;
  let stopNow: (reason: string) => Promise<void> = async () => void (await life.stop());
  const stopOnce = (reason: string) => (stopped ??= stopNow(reason));
  // A successor's request to take the embedded store over (decision 0010), run once started.
  let started = false;
  let handoverAsked = false;
  const handOver = () => void stopOnce('handover').then(() => options.onHandedOver?.());
  // The port opens first and holds what arrives until the gateway is ready (decision 0005), except in
  // a pm2 cluster-mode worker, where the old, ready worker should keep taking connections meanwhile.
  // A worker started beside the one holding the embedded store takes it over (decision 0010): it
  // compiles PGlite and builds what needs no open store, then listens, holding probes too, and asks
  // its predecessor to stop listening and let go.
  const successor = takesOverEmbeddedStore(config);
  // Start-up phases in the "gateway listening" line: what a slow restart or reload spent its time on, ms.
  const phases = new StartupPhases();
  const listener = new StartupListener(logger, undefined, successor);
  let listening: Promise<void> | undefined;
  const listen = () => (listening ??= listener.listenOn(config.http));
  // pm2 stops the old worker once the new one has not said `ready` within its listen timeout (10 s in
  // the documented command): by then a successor must listen, or the port would refuse connections.
  // On a machine so busy that its build is not done by then, it listens anyway and holds meanwhile.
  const listenAnyway = successor
    ? setTimeout(() => void listen().catch(() => {}), SUCCESSOR_LISTENS_BY_MS - process.uptime() * 1000)
    : undefined;
  if (successor) {
    // Before it listens (and so holds requests), while the old process still serves: that one's
    // keep-alive clients move on meanwhile, and what the store's opening can do without the store.
    await prepareHandover(config.database.dataDir, config.pm2Slot, logger);
    await preloadPglite().catch((err: unknown) => logger.warn({ err }, 'reading PGlite ahead failed'));
    phases.mark('prepare');
  }
  const early = (config.http.listenEarly && !nodeCluster.isWorker) || successor;
  if (early && !successor) {
    await listener.listenOn(config.http);
    phases.mark('listen');
  }
  try {
    const storeToBe = await storeToOpen(config, logger, (phase) => phases.mark(phase));
    const { database } = storeToBe;
    // A successor builds the gateway first, on a store that is not open yet: nothing built uses it
    // before it is open, and requests are held only from when it listens.
    if (!successor) await storeToBe.open();
    const stores = createStores(database, (err) => logger.error({ err }, 'audit log write failed'));
    life.adopt({ name: 'store', stop: () => closeStore(stores, database, logger) });
    const cluster = await life.start(await openCluster(config, logger));
    const topology = topologyOf(config, database, cluster);
    // Read from the store in development, once it is open: the HTTP edge is built before that.
    let secretFromStore: (secret: Promise<string>) => void = () => {};
    const jwtSecret = config.jwt.secret ?? new Promise<string>((resolve) => (secretFromStore = resolve));
    const events = new CoreEvents();
    const link = new SocketAgentLink();
    const broadcaster = new RoomBroadcaster({
      logger,
      clock,
      options: {
        statusBatchWindowMs: 100,
        localOnly: !topology.manyProcesses,
        onStatusBatch: (size) => events.emit('statusBatch', size),
        lastSentStatusMax: config.memory.printerStatusMemory,
      },
    });
    const renderer = new TicketRenderPool({ ...config.render, onRendered: (...r) => events.emit('rendered', ...r) });
    life.adopt({ name: 'render threads', stop: () => renderer.close() });
    const previews = new TicketPreviews(stores.jobs, renderer, {
      cacheBytes: config.render.previewCacheBytes,
      maxJobBytes: config.jobs.maxJobBytes,
    });
    const licenceChanges = new DbLicenseChangeFeed(database, DbLicenseChangeFeed.logLiveChanges(logger));
    const settings = { ...config, directoryTtlMs: DIRECTORY_TTL_MS };
    // Webhook requests reach only public addresses unless PRINTERMASTER_WEBHOOK_ALLOW_PRIVATE (docs/webhooks.md).
    const { allowPrivate, timeoutMs } = config.webhooks;
    const webhookSender = new HttpWebhookSender({ allowPrivate, timeoutMs });
    life.adopt({ name: 'webhook connections', stop: () => webhookSender.close() });
    const webhookUrls = new WebhookUrlGuard({ allowPrivate });
    const webhooks = {
      store: new PgWebhookStore(database.db),
      sender: webhookSender,
      urls: webhookUrls,
      version: VERSION,
    };
    const metrics = new GatewayMetrics(VERSION, {
      rateLimitWhitelist: config.rateLimits.whitelist,
      slowQueryMs: config.database.slowQueryMs,
      bounds: config.memory,
    });
    database.watchQueries(metrics.slowQueries.record);
    const core = createCore({
      settings,
      stores,
      // The limiters are watched for `/api/metrics/ratelimit`, and skip the whitelisted keys.
      cluster: { ...cluster, rateLimiter: metrics.limiters.wrap(cluster.rateLimiter) },
      link,
      broadcaster,
      renderer,
      licenceChanges,
      ...dbCredentialChangeFeeds(database, logger),
      webhooks,
      events,
      clock,
      logger,
    });
    // API keys, sessions and a trusted platform's JWTs are accepted wherever a JWT is (docs/credentials.md).
    const jwt = new JwtService(
      jwtSecret,
      config.jwt.expiresIn,
      otherCredentials(config, core),
      config.memory.tokenCache,
    );
    const sessionTokens = new SessionTokens({ sessions: core.sessions, jwt, accessTtlS: core.sessions.accessTtlS });
    const edgeBuilt = await createEdge({
      ...{ config, core, stores, link, broadcaster, jwt, metrics, listener, clock, logger, previews },
      pingDatabase: () => database.ping(),
      ...(database.pool ? { databasePool: () => database.pool?.() } : {}),
      pingRedis: topology.pingRedis,
      socketAdapter: topology.socketAdapter,
      listenLate: early ? undefined : () => listener.listenOn(config.http),
    });
    // Fastify registers its routes and plugins here, which needs no open store either.
    await edgeBuilt.app.ready();
    phases.mark('build');
    if (successor) {
      await listen();
      clearTimeout(listenAnyway);
      phases.mark('listen');
      await requestHandover(config.database.dataDir, config.pm2Slot, logger);
      phases.mark('handover');
      await storeToBe.open();
    }
    secretFromStore(resolveJwtSecret(config, stores));
    await jwtSecret;
    await life.start({ name: 'core', start: () => core.start(), stop: () => core.stop() });
    phases.mark('core');
    const bootstrap = config.bootstrap
      ? await bootstrapIfEmpty({
          ...core,
          tenantService: core.tenants,
          tenants: stores.tenants,
          jwt,
          meta: stores.meta,
        })
      : undefined;
    await stores.devices.closeOrphanSessions(topology.orphanSessionsOf, 'gateway restarted');
    if (topology.adminSocketPath) {
      const commands = new AdminCommands(
        core.tenants,
        core.licenses,
        jwt,
        backupTo(database, logger),
        sessionTokens,
        database,
        config.http.publicUrl,
      );
      const onHandover = (args: Record<string, unknown>, step: HandoverStep) => {
        // Several workers on one store (pm2 scale) would take it from each other forever.
        if (args.slot !== config.pm2Slot)
          return `only the worker of this pm2 slot (${config.pm2Slot ?? 'none'}) may take the store over, not ${String(args.slot ?? 'none')}`;
        if (step === 'prepare') {
          listener.closeEachConnection(HANDOVER_PREPARE_MS);
          return undefined;
        }
        // Asked while still starting (two reloads in a row): the stop must wait for the start.
        if (started) handOver();
        else handoverAsked = true;
        return undefined;
      };
      const admin = await listenAdminSocket(topology.adminSocketPath, commands, logger, onHandover);
      life.adopt({ name: 'admin socket', stop: () => void admin.close() });
    }
    const edge = await life.start(edgeBuilt);
    phases.mark('edge');
    bindGatewayMetrics(metrics, { core, edge, jobs: stores.jobs, tenants: stores.tenants, renderer, previews });
    const sweepGoneSessions = topology.sweepGoneSessions;
    const vacuum = database.kind === 'pglite' ? new EmbeddedVacuum(database.db) : undefined;
    await life.start(
      housekeepingPart({
        config,
        core,
        cluster,
        stores,
        edge,
        link,
        metrics,
        sweepGoneSessions,
        vacuum,
        clock,
        logger,
      }),
    );
    const { port } = edge;
    // The secrets first: whoever waits for "gateway listening" (a script, a test) then has them already.
    if (bootstrap) {
      const url = config.http.publicUrl.replace(`:${config.http.port}`, `:${port}`);
      (options.announce ?? ((text) => process.stdout.write(text)))(bootstrapMessage(bootstrap, url));
    }
    const facts = { port, store: database.description, cluster: cluster.kind, version: VERSION, node: process.version };
    logger.info({ ...facts, rowLevelSecurity: isTrackingTenantScopes(), ...phases.done() }, 'gateway listening');
    stopNow = async (reason: string) => {
      const started = clock.now();
      logger.info({ reason }, 'gateway stopping');
      const stopMs = await life.stop();
      logger.info({ reason, durationMs: clock.now() - started, stopMs }, 'gateway stopped');
    };
    started = true;
    if (handoverAsked) handOver();
    return {
      ...{ port, url: `http://127.0.0.1:${port}`, instanceId, logger, database, stores, cluster, jwt, bootstrap },
      licenses: core.licenses,
      tenants: core.tenants,
      dispatcher: core.dispatcher,
      stop: (reason = 'stop') => stopOnce(reason),
    };
  } catch (err) {
    // A start that fails anywhere lets go of what it opened (the store's lock, Redis), so the process can end.
    clearTimeout(listenAnyway);
    await listening?.catch(() => {});
    await life.stop();
    await listener.abort();
    throw err;
  }
}

/**
 * Whether this process is a pm2 cluster-mode worker started beside a live gateway on the same
 * embedded store (a reload), and so should take the store over rather than wait for its lock.
 * Needs a lock wait: it is how the process file says that an overlap is expected.
 */
function takesOverEmbeddedStore(config: GatewayConfig): boolean {
  const { url, dataDir, lockWaitMs } = config.database;
  return url === undefined && lockWaitMs > 0 && nodeCluster.isWorker && DataDirLock.isHeld(dataDir);
}
