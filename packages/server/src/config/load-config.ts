import { availableParallelism, hostname } from 'node:os';
import { ConfigError } from './config-error.js';
import { credentialProblems, toCredentialConfig } from './credential-settings.js';
import { toEventConfig } from './event-settings.js';
import type { GatewayConfig } from './gateway-config.js';
import { GATEWAY_CROSS_RULES, GATEWAY_SETTINGS, type GatewayEnv } from './gateway-settings.js';
import { toMemoryBounds } from './memory-settings.js';
import { type Environment, parseEnv } from './parse-env.js';
import { toRetentionConfig } from './retention-settings.js';
import { toWebhookConfig } from './webhook-settings.js';

/**
 * Reads and checks the gateway's environment against its schema (gateway-settings.ts); throws
 * `ConfigError` listing every problem at once: refused values, broken rules between variables,
 * and what `NODE_ENV=production` requires.
 */
export function loadConfig(env: Environment = process.env): GatewayConfig {
  const { values, problems, refused } = parseEnv(GATEWAY_SETTINGS, env);
  for (const { lower, upper } of GATEWAY_CROSS_RULES) {
    if (refused.has(lower) || refused.has(upper)) continue;
    if (values[lower] > values[upper]) {
      problems.push(`${GATEWAY_SETTINGS[lower].name} must not exceed ${GATEWAY_SETTINGS[upper].name}`);
    }
  }
  problems.push(...credentialProblems(values));
  if (values.nodeEnv === 'production') {
    for (const [key, setting] of Object.entries(GATEWAY_SETTINGS)) {
      if (!setting.production || refused.has(key as keyof GatewayEnv)) continue;
      const value: unknown = values[key as keyof GatewayEnv];
      if (value === undefined || setting.production.accepts?.(value as never) === false) {
        problems.push(`NODE_ENV=production requires ${setting.production.requirement}`);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return toGatewayConfig(values);
}

/** Places each value in the config, filling in the defaults derived at start-up. */
function toGatewayConfig(v: GatewayEnv): GatewayConfig {
  return {
    nodeEnv: v.nodeEnv,
    isProduction: v.nodeEnv === 'production',
    http: {
      host: v.host,
      port: v.port,
      listenBacklog: v.listenBacklog,
      // Decision 0005: the embedded store has no other process to take connections meanwhile.
      listenEarly: v.listenEarly ?? v.databaseUrl === undefined,
      maxBodyBytes: v.maxBodyBytes,
      publicUrl: (v.publicUrl ?? `http://localhost:${v.port}`).replace(/\/+$/, ''),
      trustProxy: v.trustProxy,
    },
    database: {
      url: v.databaseUrl,
      poolSize: v.databasePoolSize,
      dataDir: v.dataDir,
      seed: v.storeSeed,
      embeddedVacuumIntervalMs: v.embeddedVacuumIntervalS * 1000,
      schema: v.databaseSchema,
      lockWaitMs: v.dataDirLockWaitMs,
      slowQueryMs: v.slowQueryMs,
    },
    redisUrl: v.redisUrl,
    redisPrefix: v.redisPrefix,
    jwt: { secret: v.jwtSecret, expiresIn: v.jwtExpiresIn },
    credentials: toCredentialConfig(v),
    corsOrigins: v.corsOrigins,
    logLevel: v.logLevel,
    instanceId: v.instanceId ?? `${hostname()}-${process.pid}`,
    pm2Slot: v.pm2Slot,
    bootstrap: v.bootstrap,
    requests: {
      printerTestTimeoutMs: v.printerTestTimeoutMs,
      maxPending: v.maxPendingRequests,
      staleSweepIntervalMs: v.staleSweepIntervalMs,
      canaryIntervalMs: v.canaryIntervalMs,
      canaryTimeoutMs: v.canaryTimeoutMs,
    },
    rateLimits: {
      testsPerBranchPerMinute: v.testsPerBranchPerMinute,
      testsPerPrinterPerMinute: v.testsPerPrinterPerMinute,
      writesPerBranchPerMinute: v.writesPerBranchPerMinute,
      writesPerCredentialPerMinute: v.writesPerCredentialPerMinute,
      whitelist: v.rateLimitWhitelist,
    },
    jobs: {
      maxJobBytes: v.maxJobBytes,
      defaultTtlMs: v.jobTtlS * 1000,
      maxTtlMs: v.jobMaxTtlS * 1000,
      idempotencyWindowMs: v.idempotencyWindowS * 1000,
      ackTimeoutMs: v.ackTimeoutMs,
      expirySweepIntervalMs: v.expirySweepIntervalMs,
      outcomeGraceMs: v.outcomeGraceMs,
      redispatchIntervalMs: v.redispatchIntervalMs,
      dispatchBatchSize: v.dispatchBatchSize,
      holdAfterMs: { kitchen: v.holdKitchenAfterS * 1000, label: v.holdLabelAfterS * 1000 },
      agentLeaseTtlMs: v.agentLeaseTtlMs,
    },
    socket: {
      maxMessageBytes: v.socketMaxMessageBytes,
      pingIntervalMs: v.socketPingIntervalMs,
      pingTimeoutMs: v.socketPingTimeoutMs,
      perMessageDeflate: v.socketDeflate,
    },
    render: {
      threads: v.renderThreads ?? Math.min(4, Math.max(1, availableParallelism() - 1)),
      maxQueue: v.renderQueue,
      imageLimits: {
        maxImagePixels: v.maxImagePixels,
        maxImageBytes: v.maxImageBytes,
        maxDocumentPixels: v.maxJobImagePixels,
        maxDocumentBytes: v.maxJobImageBytes,
      },
      previewCacheBytes: v.previewCacheBytes,
    },
    shutdownTimeoutMs: v.shutdownTimeoutMs,
    events: toEventConfig(v),
    webhooks: toWebhookConfig(v),
    retention: toRetentionConfig(v),
    memory: toMemoryBounds(v),
  };
}
