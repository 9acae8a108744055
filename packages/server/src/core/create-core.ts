import { AgentHealthTracker } from './agent-health-tracker.js';
import { AgentLeases } from './agent-leases.js';
import { ApiKeyService } from './api-key-service.js';
import { ClusterRpc } from './cluster-rpc.js';
import type { CoreDeps, CoreSettings } from './core-deps.js';
import { CoreEvents } from './core-events.js';
import { CorrelationIds } from './correlation-ids.js';
import { DesktopHealthService } from './desktop-health-service.js';
import { EventFeed } from './event-feed.js';
import { EventSequencer } from './event-sequencer.js';
import { HealthService } from './health-service.js';
import { HeldJobs } from './held-jobs.js';
import { JobDispatcher } from './job-dispatcher.js';
import { JobLifecycle } from './job-lifecycle.js';
import { LegacyAgentVerifier } from './legacy-agent-verifier.js';
import { LicenseService } from './license-service.js';
import { DEFAULT_MEMORY_BOUNDS } from './memory-bounds.js';
import { PaperCheckService } from './paper-check-service.js';
import { PendingRequests } from './pending-requests.js';
import { typedClusterBus } from './ports/cluster-bus.js';
import type { PrintJobWithContent } from './ports/print-job-store.js';
import type { RateLimiter, RateLimiterOptions } from './ports/rate-limiter.js';
import { PrintJobService } from './print-job-service.js';
import { PrinterPresence } from './printer-presence.js';
import { PrinterService } from './printer-service.js';
import { type PrinterTestReply, PrinterTestService } from './printer-test-service.js';
import { RemoteAgentLink } from './remote-agent-link.js';
import { ServiceRegistryService } from './service-registry-service.js';
import { SessionService } from './session-service.js';
import { StationFailover } from './station-failover.js';
import { StationService } from './station-service.js';
import { runAsGateway } from './tenant-scope.js';
import { TenantService } from './tenant-service.js';
import { WebhookDeliveryWorker } from './webhook-delivery-worker.js';
import { WebhookService } from './webhook-service.js';
import { WriteTargetLocator } from './write-target-locator.js';

export type { CoreDeps, CoreSettings };

export type Core = ReturnType<typeof createCore>;

/** Builds every service of the core on its ports. Nothing runs until `start()`. */
export function createCore(deps: CoreDeps) {
  const { settings, stores, cluster, link, broadcaster, clock, logger } = deps;
  const memory = settings.memory ?? DEFAULT_MEMORY_BOUNDS;
  const events = deps.events ?? new CoreEvents();
  const bus = typedClusterBus(cluster.bus);
  const rpc = new ClusterRpc({ bus, instanceId: settings.instanceId, clock, logger });
  const limiter = (points: number, name: string, scope: string, options?: RateLimiterOptions): RateLimiter => {
    const inner = cluster.rateLimiter(points, 60, name, options);
    const counted = (wait: number | undefined) => {
      if (wait !== undefined) events.emit('rateLimited', scope);
      return wait;
    };
    return { consume: (key) => inner.consume(key).then(counted) };
  };
  const tenants = new TenantService(stores);
  const licenses = new LicenseService({ ...stores, clock, changes: deps.licenceChanges, bounds: memory });
  const apiKeys = new ApiKeyService({
    ...stores,
    clock,
    logger,
    changes: deps.apiKeyChanges,
    maxCached: memory.apiKeyCache,
    requireActiveTenant: (companyId, branchId) => licenses.requireActiveTenant(companyId, branchId),
  });
  // A deactivation (here, or another process's notice on the licence channel) is seen at each key's next use.
  licenses.onLicenceChange(() => apiKeys.forgetVerified());
  const sessions = new SessionService({
    ...stores,
    clock,
    logger,
    changes: deps.sessionChanges,
    settings: {
      accessTtlMs: settings.credentials.accessTtlS * 1000,
      refreshTtlMs: settings.credentials.refreshTtlS * 1000,
      maxRevoked: memory.revokedSessions,
    },
  });
  // A branch or company deactivated here: its agents are checked again and its jobs refused at once.
  tenants.onStatusChange((change) => {
    apiKeys.forgetVerified();
    return licenses.tenantStatusChanged(change);
  });
  const printers = new PrinterService({ ...stores, broadcaster, clock, cacheMaxEntries: memory.printerCache });
  const printerPresence = new PrinterPresence(cluster.directory);
  const stations = new StationService({ ...stores, presence: printerPresence });
  const lifecycle = new JobLifecycle({ jobs: stores.jobs, broadcaster, clock, logger });
  lifecycle.onTransition((job, from) => events.emit('jobTransition', job, from));
  // The outbox's sequencer (run by housekeeping) wakes at a job's change here; the feed's waiters on its passes.
  const eventFeed = new EventFeed({
    events: stores.events,
    tenants: stores.tenants,
    credentials: { sessions: sessions.revocations, apiKeys },
    clock,
    options: { pollIntervalMs: settings.events.feedPollIntervalMs, maxStreams: settings.events.feedMaxStreams },
  });
  const eventSequencer = new EventSequencer({
    events: stores.events,
    clock,
    logger,
    options: { intervalMs: settings.events.sequencerIntervalMs, batchSize: settings.events.sequencerBatchSize },
    onSequenced: (batch) => events.emit('eventsSequenced', batch),
  });
  events.on('eventsSequenced', () => eventFeed.sequenced());
  const webhooks = new WebhookService({ ...deps.webhooks, tenants: stores.tenants, audit: stores.audit, clock });
  const webhookWorker = new WebhookDeliveryWorker({
    ...deps.webhooks,
    audit: stores.audit,
    events,
    clock,
    logger,
    settings: { ...settings.webhooks, instanceId: settings.instanceId, version: deps.webhooks.version },
  });
  // Deliveries this process's sequencer just made go out at once, not at the worker's next poll.
  events.on('eventsSequenced', () => webhookWorker.wake());
  lifecycle.onTransition(() => eventSequencer.nudge());
  const jobs = new PrintJobService({
    jobs: stores.jobs,
    // Creating a job reads the printer from the cache the printer tests use: no store round trip per job.
    printers: { find: (id: string) => printers.findCached(id) },
    lifecycle,
    renderer: deps.renderer,
    clock,
    options: settings.jobs,
    branches: licenses,
    audit: stores.audit,
    stations,
  });
  const dispatcher = new JobDispatcher({
    jobs: stores.jobs,
    printers: stores.printers,
    link,
    lifecycle,
    clock,
    logger,
    standby: (agent) => leases.isStandby(agent),
    options: {
      ackTimeoutMs: settings.jobs.ackTimeoutMs,
      batchSize: settings.jobs.dispatchBatchSize,
      holdAfterMs: settings.jobs.holdAfterMs,
    },
  });
  const remote = new RemoteAgentLink({ rpc, directory: cluster.directory, link, clock, logger });
  // Dispatch is the gateway's own work, not the submitting user's (decision 0007).
  remote.onJobsReady((branchId) => void runAsGateway(() => dispatcher.kick(branchId)));
  const jobsReady = (branchId: string, fresh?: PrintJobWithContent) => {
    void runAsGateway(() => dispatcher.kick(branchId, fresh));
    void remote.announceJobs(branchId);
  };
  jobs.onCreated((job) => jobsReady(job.branchId, job));
  const paperChecks = new PaperCheckService({
    checks: stores.paperChecks,
    printers,
    jobs,
    audit: stores.audit,
    confirmUrl: (token) => `${settings.http.publicUrl}/#/paper/${encodeURIComponent(token)}`,
  });
  const leases = new AgentLeases({
    store: stores.agentLeases,
    agents: () => link.all(),
    lifecycle,
    audit: stores.audit,
    jobsReady,
    clock,
    logger,
    options: { instanceId: settings.instanceId, ttlMs: settings.jobs.agentLeaseTtlMs ?? 3_000 },
  });
  const heldJobs = new HeldJobs({ jobs: stores.jobs, lifecycle, audit: stores.audit, released: jobsReady });
  const failover = new StationFailover({
    ...stores,
    service: stations,
    createNotice: (job) => jobs.createForGateway(job),
    jobsReady,
    events,
    clock,
    logger,
  });
  printers.onStatusChanged((printer) => {
    runAsGateway(() => failover.statusChanged(printer)).catch((err: unknown) =>
      logger.error({ err, printerId: printer.id, branchId: printer.branchId }, 'station failover failed'),
    );
  });
  const pending = new PendingRequests<PrinterTestReply>({
    maxPending: settings.requests.maxPending,
    clock,
    onTimeout: (info) => {
      events.emit('requestTimedOut', info);
      const acknowledged = info.acknowledgedAt !== undefined;
      logger.warn({ correlationId: info.correlationId, type: info.type, acknowledged }, 'Request timeout');
    },
    onResolve: (info, ms) => events.emit('requestResolved', info, ms),
  });
  const printerTests = new PrinterTestService({
    printers,
    tenants: stores.tenants,
    link,
    remote,
    pending,
    ids: new CorrelationIds(clock),
    limits: {
      branch: limiter(settings.rateLimits.testsPerBranchPerMinute, 'test-branch', 'printer_test_branch'),
      printer: limiter(settings.rateLimits.testsPerPrinterPerMinute, 'test-printer', 'printer_test_printer'),
    },
    broadcaster,
    clock,
    logger,
    timeoutMs: settings.requests.printerTestTimeoutMs,
    bounds: memory,
  });
  const tracker = new AgentHealthTracker({
    directory: cluster.directory,
    broadcaster,
    clock,
    logger,
    options: {
      instanceId: settings.instanceId,
      directoryTtlMs: settings.directoryTtlMs,
      onLatencySample: (seconds) => events.emit('agentLatency', seconds),
      bounds: memory,
    },
  });
  // Jobs must not stop when Redis does: the write limits then count per process.
  const writeLimiter = (points: number, of: 'branch' | 'credential') =>
    limiter(points, `write-${of}`, `write_${of}`, { perProcessWhenUnreachable: true });
  return {
    events,
    rpc,
    tenants,
    licenses,
    apiKeys,
    sessions,
    printers,
    lifecycle,
    jobs,
    heldJobs,
    paperChecks,
    leases,
    dispatcher,
    pending,
    printerTests,
    tracker,
    health: new HealthService(stores.health),
    desktopHealth: new DesktopHealthService({
      directory: cluster.directory,
      tracker,
      rpc,
      clock,
      maxCached: memory.healthSummaryCache,
    }),
    registry: new ServiceRegistryService({ ...cluster, clock }),
    printerPresence,
    stations,
    eventFeed,
    eventSequencer,
    webhooks,
    /** The audit log, for its readers (`GET /api/audit-log`). */
    auditLog: stores.audit,
    webhookWorker,
    legacyAgents: new LegacyAgentVerifier({ link, directory: cluster.directory, devices: stores.devices, licenses }),
    validateLimiter: limiter(60, 'licence-validate', 'licence_validate'),
    writeLimits: {
      perBranch: writeLimiter(settings.rateLimits.writesPerBranchPerMinute, 'branch'),
      perCredential: writeLimiter(settings.rateLimits.writesPerCredentialPerMinute, 'credential'),
      targets: new WriteTargetLocator({ printers, jobs: stores.jobs, tenants: stores.tenants }),
    },
    /** Starts listening: other processes' calls, printer changes, the licence change feed. */
    async start(): Promise<void> {
      await rpc.start();
      await licenses.startCache();
      await Promise.all([apiKeys.start(), sessions.start()]);
      // Printer tests read printers from a per-process cache; other processes drop what this one changed.
      printers.onChanged((printerId) => {
        bus
          .publish('printers.changed', { printerId, from: settings.instanceId })
          .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'printer change notice not published'));
      });
      await bus.subscribe('printers.changed', ({ printerId, from }) => {
        if (from !== settings.instanceId) printers.forget(printerId);
      });
    },
    /** Refuses what still waits for an agent and stops dispatching (drain). */
    async quiesce(reason: Error): Promise<void> {
      pending.rejectAll(reason as never);
      rpc.close();
      await dispatcher.close();
    },
    async stop(): Promise<void> {
      await licenses.stopCache();
      await Promise.all([apiKeys.stop(), sessions.stop()]);
    },
    /** Dispatch waiting jobs of every branch with an agent here (the periodic redispatch). */
    async redispatch(branchIds: string[]): Promise<void> {
      await Promise.all(branchIds.map((b) => runAsGateway(() => dispatcher.kick(b))));
    },
  };
}
