import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { JwtService } from '../../src/auth/jwt-service.js';
import { otherCredentials } from '../../src/auth/other-credentials.js';
import { createMemoryCluster } from '../../src/cluster/cluster.js';
import { loadConfig } from '../../src/config.js';
import { type Core, createCore } from '../../src/core/create-core.js';
import { RoomBroadcaster } from '../../src/gateway/room-broadcaster.js';
import { HealthChecks } from '../../src/health/health-checks.js';
import { buildApp } from '../../src/http/build-app.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import type { Database } from '../../src/store/database.js';
import { openDatabase } from '../../src/store/database.js';
import { dbCredentialChangeFeeds } from '../../src/store/db-credential-change-feeds.js';
import { DbLicenseChangeFeed } from '../../src/store/db-license-change-feed.js';
import { migrate } from '../../src/store/migrator.js';
import { PgWebhookStore } from '../../src/store/pg-webhook-store.js';
import { createStores, type Stores } from '../../src/store/stores.js';
import { TicketPreviews } from '../../src/ticket-previews.js';
import { TicketRenderPool } from '../../src/ticket-render-pool.js';
import { HttpWebhookSender } from '../../src/webhooks/http-webhook-sender.js';
import { WebhookUrlGuard } from '../../src/webhooks/webhook-url-guard.js';
import { FakeClock } from './fake-clock.js';
import { RecordingAgentLink } from './recording-agent-link.js';

/** The core on an in-memory PGlite, memory cluster ports and a fake clock; HTTP through inject(). */
export interface TestCore {
  core: Core;
  clock: FakeClock;
  stores: Stores;
  database: Database;
  link: RecordingAgentLink;
  jwt: JwtService;
  /** The HTTP API on this core, for `app.inject()` (no port). */
  app: FastifyInstance;
  /** A company, a branch, an agent of it connected, and a printer on that agent. */
  seed(): Promise<{ companyId: string; branchId: string; deviceId: string; printerId: string; token: string }>;
  close(): Promise<void>;
}

export interface TestCoreOptions {
  /** Printer test deadline, ms (default 15 000). */
  printerTestTimeoutMs?: number;
  /** More configuration, as environment variables. */
  env?: Record<string, string>;
}

const JWT_SECRET = 'unit-test-secret-unit-test-secret-0123456789';

export async function startTestCore(options: TestCoreOptions = {}): Promise<TestCore> {
  const clock = new FakeClock(Date.now());
  const logger = pino({ level: process.env.PRINTERMASTER_TEST_LOG_LEVEL ?? 'silent' });
  const database = await openDatabase({ kind: 'pglite', dataDir: 'memory' });
  await migrate(database);
  const stores = createStores(database, () => {});
  const cluster = createMemoryCluster();
  const link = new RecordingAgentLink();
  const config = loadConfig({
    PRINTERMASTER_DATA_DIR: 'memory',
    JWT_SECRET,
    PRINTERMASTER_PRINTER_TEST_TIMEOUT_MS: String(options.printerTestTimeoutMs ?? 15_000),
    ...options.env,
  });
  const renderer = new TicketRenderPool(config.render);
  const { allowPrivate, timeoutMs } = config.webhooks;
  const webhookSender = new HttpWebhookSender({ allowPrivate, timeoutMs });
  const webhooks = {
    store: new PgWebhookStore(database.db),
    sender: webhookSender,
    urls: new WebhookUrlGuard({ allowPrivate }),
    version: 'test',
  };
  const core = createCore({
    settings: { ...config, instanceId: 'unit', directoryTtlMs: 90_000 },
    stores,
    cluster,
    link,
    broadcaster: new RoomBroadcaster({ logger, clock, options: { statusBatchWindowMs: 100, localOnly: true } }),
    renderer,
    licenceChanges: new DbLicenseChangeFeed(database),
    webhooks,
    ...dbCredentialChangeFeeds(database),
    clock,
    logger,
  });
  await core.start();
  const jwt = new JwtService(JWT_SECRET, config.jwt.expiresIn, otherCredentials(config, core));
  const app = await buildApp({
    ...core,
    logger,
    clock,
    version: 'test',
    corsOrigins: ['*'],
    maxBodyBytes: 2_000_000,
    trustProxy: false,
    jwt,
    devices: stores.devices,
    previews: new TicketPreviews(stores.jobs, renderer, {
      cacheBytes: config.render.previewCacheBytes,
      maxJobBytes: config.jobs.maxJobBytes,
    }),
    metrics: new GatewayMetrics('test'),
    health: new HealthChecks({
      version: 'test',
      startedAt: clock.now(),
      pingDatabase: () => database.ping(),
      pingRedis: undefined,
      isWebsocketActive: () => true,
      isDraining: () => false,
      connections: () => ({ agents: link.agents.length, webClients: 0, uniqueUsers: 0 }),
      pendingRequests: () => core.pending.size,
      memoryLimitBytes: 0,
    }),
    websocketStats: () => ({ agents: link.agents.length, webClients: 0, uniqueUsers: 0, byProtocol: {} }),
  });
  await app.ready();
  return {
    ...{ core, clock, stores, database, link, jwt, app },
    async seed() {
      const company = await core.tenants.createCompany('Unit company', 'test');
      const branch = await core.tenants.createBranch(company.id, 'Unit branch', 'test');
      const deviceId = `device-${branch.id.slice(0, 8)}`;
      const token = await jwt.sign({ sub: 'owner', role: 'company_owner', companyId: company.id }, '1h');
      const owner = await jwt.verify(token);
      const printer = await core.printers.create(owner, branch.id, {
        name: 'Kitchen',
        type: 'thermal',
        connection: 'network',
        ip: '127.0.0.1',
        port: 9100,
      });
      // Jobs go only to an agent whose licence is active (checked in the same statement that marks them sent).
      const { license } = await core.licenses.issue({ companyId: company.id, branchId: branch.id, actor: 'test' });
      link.connect({ deviceId, companyId: company.id, branchId: branch.id, licenseId: license.id });
      return { companyId: company.id, branchId: branch.id, deviceId, printerId: printer.id, token };
    },
    async close() {
      await app.close();
      link.abandonDeliveries();
      await core.quiesce(new Error('test over'));
      await core.webhookWorker.stop();
      await webhookSender.close();
      await core.stop();
      await renderer.close();
      await cluster.close();
      await stores.flush();
      await database.close();
    },
  };
}
