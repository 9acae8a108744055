import type { ImageLimits } from '@printermaster/escpos';
import type { HoldAfter } from '../core/hold-policy.js';
import type { MemoryBounds } from '../core/memory-bounds.js';
import type { CredentialConfig } from './credential-settings.js';
import type { EventConfig } from './event-settings.js';
import type { RetentionConfig } from './retention-settings.js';
import type { WebhookConfig } from './webhook-settings.js';

/**
 * Every setting the gateway reads, parsed from the environment and checked once at start-up
 * (`loadConfig`). Where each value comes from: gateway-settings.ts, the schema of the variables.
 */
export interface GatewayConfig {
  nodeEnv: string;
  isProduction: boolean;
  http: {
    host: string;
    port: number;
    /** Connections the kernel queues before the process accepts them (capped by net.core.somaxconn). */
    listenBacklog: number;
    /** Open the port at the start of start-up and hold connections until ready (decision 0005). */
    listenEarly: boolean;
    maxBodyBytes: number;
    publicUrl: string;
    trustProxy: boolean;
  };
  database: {
    url: string | undefined;
    poolSize: number;
    dataDir: string;
    /** Period of the embedded store's vacuum pass, ms; 0: never (PRINTERMASTER_EMBEDDED_VACUUM_INTERVAL_S). */
    embeddedVacuumIntervalMs: number;
    /** A backup a new embedded store starts from (PRINTERMASTER_STORE_SEED). */
    seed: string | undefined;
    schema: string | undefined;
    lockWaitMs: number;
    /** Statements at least this long go to the slow-query log, ms (PRINTERMASTER_SLOW_QUERY_MS). */
    slowQueryMs: number;
  };
  redisUrl: string | undefined;
  /** Prefix of every Redis key and channel (several deployments on one Redis). */
  redisPrefix: string;
  /** `undefined` in development: a secret is generated once and kept in the store. */
  jwt: { secret: string | undefined; expiresIn: string };
  /** Web users' sessions and a platform's own JWTs (credential-settings.ts). */
  credentials: CredentialConfig;
  /** `['*']` allows any origin (development only). */
  corsOrigins: string[];
  logLevel: string;
  instanceId: string;
  /** pm2's slot of this worker (NODE_APP_INSTANCE); a handover of the embedded store stays within one slot. */
  pm2Slot: string | undefined;
  bootstrap: boolean;
  requests: {
    printerTestTimeoutMs: number;
    maxPending: number;
    staleSweepIntervalMs: number;
    /** Period of the printer canaries, ms; 0: off. */
    canaryIntervalMs: number;
    canaryTimeoutMs: number;
  };
  rateLimits: {
    testsPerBranchPerMinute: number;
    testsPerPrinterPerMinute: number;
    /** Writes (POST, PUT, PATCH, DELETE: jobs, reprints, cancels, printers, tests, legacy bulk) per minute per branch. */
    writesPerBranchPerMinute: number;
    /** Writes per minute per credential: a JWT subject, a licence, a legacy device. */
    writesPerCredentialPerMinute: number;
    /** Keys no limiter counts or refuses (PRINTERMASTER_RATE_LIMIT_WHITELIST). */
    whitelist: string[];
  };
  jobs: {
    maxJobBytes: number;
    defaultTtlMs: number;
    maxTtlMs: number;
    idempotencyWindowMs: number;
    ackTimeoutMs: number;
    expirySweepIntervalMs: number;
    /** After a delivered job's useful-until time, how long to wait for its outcome before `unconfirmed`, ms. */
    outcomeGraceMs: number;
    redispatchIntervalMs: number;
    /** Jobs read from the store per dispatch pass. */
    dispatchBatchSize: number;
    /** Age after which a job of the type not yet sent is held, ms; 0 or absent: never. */
    holdAfterMs: HoldAfter;
    /** Life of a branch's active-agent lease, ms (renewed every third of it). */
    agentLeaseTtlMs: number;
  };
  socket: { maxMessageBytes: number; pingIntervalMs: number; pingTimeoutMs: number; perMessageDeflate: boolean };
  /** Ticket documents are rendered on worker threads, so images cannot stall the event loop. */
  render: {
    /** Worker threads that render documents. */
    threads: number;
    /** Documents that may wait for a thread; one more is refused with RENDERER_BUSY. */
    maxQueue: number;
    imageLimits: ImageLimits;
    /** Ticket previews kept in memory, PNG bytes in all. */
    previewCacheBytes: number;
  };
  shutdownTimeoutMs: number;
  /** The event outbox's sequencer and the feed (event-settings.ts). */
  events: EventConfig;
  /** Webhook deliveries (webhook-settings.ts). */
  webhooks: WebhookConfig;
  /** How long finished rows are kept, and the purge (retention-settings.ts). */
  retention: RetentionConfig;
  /** What each cache and history in memory may hold (memory-settings.ts). */
  memory: MemoryBounds;
}
