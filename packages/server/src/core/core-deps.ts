import type { Clock } from './clock.js';
import type { CoreEvents } from './core-events.js';
import type { EventFeedSettings } from './event-feed.js';
import type { HoldAfter } from './hold-policy.js';
import type { MemoryBounds } from './memory-bounds.js';
import type { AgentDirectory } from './ports/agent-directory.js';
import type { AgentLink, ConnectedAgent } from './ports/agent-link.js';
import type { Broadcaster } from './ports/broadcaster.js';
import type { ChangeFeed } from './ports/change-feed.js';
import type { ClusterTransport } from './ports/cluster-bus.js';
import type { InstanceRegistry } from './ports/instance-registry.js';
import type { LicenseChangeFeed } from './ports/license-change-feed.js';
import type { Logger } from './ports/logger.js';
import type { RateLimiter, RateLimiterOptions } from './ports/rate-limiter.js';
import type { Stores } from './ports/stores.js';
import type { TicketRenderer } from './ports/ticket-renderer.js';
import type { WebhookSender, WebhookUrlChecker } from './ports/webhook-sender.js';
import type { WebhookStore } from './ports/webhook-store.js';
import type { PrintJobServiceOptions } from './print-job-service.js';
import type { WebhookWorkerSettings } from './webhook-delivery-worker.js';

/** The settings the core runs on (a slice of the gateway's configuration). Times in ms. */
export interface CoreSettings {
  /** The gateway's address as people reach it (PRINTERMASTER_PUBLIC_URL): links printed on slips name it. */
  http: { publicUrl: string };
  instanceId: string;
  jobs: PrintJobServiceOptions & {
    ackTimeoutMs: number;
    dispatchBatchSize: number;
    holdAfterMs?: HoldAfter;
    /** Life of a branch's active-agent lease, ms; default 3,000. */
    agentLeaseTtlMs?: number;
  };
  requests: { maxPending: number; printerTestTimeoutMs: number };
  rateLimits: {
    testsPerBranchPerMinute: number;
    testsPerPrinterPerMinute: number;
    writesPerBranchPerMinute: number;
    writesPerCredentialPerMinute: number;
  };
  /** How long an agent's directory entry lives without a refresh. */
  directoryTtlMs: number;
  /** The webhook delivery worker: polling, concurrency, retries, disabling (webhook-settings.ts). */
  webhooks: Omit<WebhookWorkerSettings, 'instanceId' | 'version'>;
  /** Web users' sessions: lifetimes of access and refresh tokens, s (credential-settings.ts). */
  credentials: { accessTtlS: number; refreshTtlS: number };
  /** The outbox sequencer's period and pass size, the feed's poll and cap per credential (event-settings.ts). */
  events: { sequencerIntervalMs: number; sequencerBatchSize: number } & EventFeedSettings;
  /** What each cache and history may hold (memory-settings.ts); the defaults when not given. */
  memory?: MemoryBounds;
}

/** The ports the core runs on: stores, state shared between processes, the agents' sockets, time. */
export interface CoreDeps {
  settings: CoreSettings;
  stores: Stores;
  cluster: {
    bus: ClusterTransport;
    directory: AgentDirectory;
    instances: InstanceRegistry;
    rateLimiter(points: number, durationS: number, name: string, options?: RateLimiterOptions): RateLimiter;
  };
  /** The agents connected to this process. */
  link: AgentLink & { agentsInBranch(branchId: string): unknown[]; all(): ConnectedAgent[] };
  broadcaster: Broadcaster;
  renderer: TicketRenderer;
  licenceChanges: LicenseChangeFeed;
  /** API key changes and revoked sessions from the database (issue 16); without them, this process's own only. */
  apiKeyChanges?: ChangeFeed;
  sessionChanges?: ChangeFeed;
  /** The hub the core reports on (metrics bind to it); a fresh one when not given. */
  events?: CoreEvents;
  /** Webhooks: their store, the guarded HTTP sender, the registration URL check, the version in the User-Agent. */
  webhooks: { store: WebhookStore; sender: WebhookSender; urls: WebhookUrlChecker; version: string };
  clock: Clock;
  logger: Logger;
}
