import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { LifecyclePart } from '../core/lifecycle.js';
import type { AgentDirectory } from '../core/ports/agent-directory.js';
import type { ClusterTransport } from '../core/ports/cluster-bus.js';
import type { InstanceRegistry } from '../core/ports/instance-registry.js';
import type { Logger } from '../core/ports/logger.js';
import type { RateLimiter, RateLimiterOptions } from '../core/ports/rate-limiter.js';
import { StartupError } from '../startup-error.js';
import { MemoryAgentDirectory } from './memory-agent-directory.js';
import { MemoryClusterBus } from './memory-cluster-bus.js';
import { MemoryInstanceRegistry } from './memory-instance-registry.js';
import { MemoryRateLimiter } from './memory-rate-limiter.js';
import { RedisAgentDirectory } from './redis-agent-directory.js';
import { RedisClusterBus } from './redis-cluster-bus.js';
import { createRedis } from './redis-connection.js';
import { RedisInstanceRegistry } from './redis-instance-registry.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';

/** State shared between gateway processes: in memory for one process, in Redis for several. */
export interface Cluster {
  readonly kind: 'memory' | 'redis';
  /** Raw: the core types it with typedClusterBus. */
  readonly bus: ClusterTransport;
  readonly directory: AgentDirectory;
  readonly instances: InstanceRegistry;
  rateLimiter(points: number, durationS: number, name: string, options?: RateLimiterOptions): RateLimiter;
  /** A Socket.IO adapter factory so that room broadcasts reach sockets on every process (Redis only). */
  socketAdapter(): ReturnType<typeof createAdapter> | undefined;
  /** Round trip to the shared store, ms; throws when unreachable. Memory: always 0. */
  ping(): Promise<number>;
  close(): Promise<void>;
}

export function createMemoryCluster(): Cluster {
  const bus = new MemoryClusterBus();
  return {
    kind: 'memory',
    bus,
    directory: new MemoryAgentDirectory(),
    instances: new MemoryInstanceRegistry(),
    rateLimiter: (points, durationS) => new MemoryRateLimiter(points, durationS),
    socketAdapter: () => undefined,
    ping: async () => 0,
    close: () => bus.close(),
  };
}

export async function createRedisCluster(url: string, logger: Logger, keyPrefix = 'printermaster:'): Promise<Cluster> {
  const main = createRedis(url, logger, 'main');
  const sub = createRedis(url, logger, 'bus');
  const adapterPub = createRedis(url, logger, 'adapter-pub');
  const adapterSub = createRedis(url, logger, 'adapter-sub');
  const clients: Redis[] = [main, sub, adapterPub, adapterSub];
  try {
    await Promise.all(clients.map((c) => c.ping()));
  } catch (err) {
    for (const c of clients) c.disconnect();
    throw new Error(`Redis at ${new URL(url).host} is unreachable: ${(err as Error).message}`);
  }
  const bus = new RedisClusterBus(main, sub, keyPrefix, logger);
  return {
    kind: 'redis',
    bus,
    directory: new RedisAgentDirectory(main, keyPrefix),
    instances: new RedisInstanceRegistry(main, keyPrefix),
    rateLimiter: (points, durationS, name, options) =>
      new RedisRateLimiter(main, points, durationS, `${keyPrefix}rl:${name}`, options),
    socketAdapter: () =>
      createAdapter(withPublishFailuresHandled(adapterPub), adapterSub, { key: `${keyPrefix}socket.io` }),
    ping: async () => {
      const start = performance.now();
      await main.ping();
      return performance.now() - start;
    },
    close: async () => {
      await bus.close();
      await Promise.all([main, adapterPub, adapterSub].map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

/**
 * The Redis adapter (8.3) drops the promise of every `publish`, so while Redis is unreachable each
 * broadcast would end as an unhandled rejection. Those broadcasts are lost either way (the adapter's
 * documented behaviour) and the connection's error is already logged by `createRedis`.
 */
function withPublishFailuresHandled(redis: Redis): Redis {
  const publish = redis.publish.bind(redis) as (channel: string, message: string | Buffer) => Promise<number>;
  return Object.assign(redis, {
    publish: (channel: string, message: string | Buffer) => publish(channel, message).catch(() => 0),
  });
}

/**
 * The cluster state for this process: Redis when `redisUrl` is set, else in memory. As a
 * lifecycle part, its stop takes this process out of the instance registry and disconnects.
 */
export async function openCluster(
  config: { redisUrl?: string; redisPrefix: string; instanceId: string },
  logger: Logger,
): Promise<Cluster & LifecyclePart> {
  let cluster: Cluster;
  try {
    cluster = config.redisUrl
      ? await createRedisCluster(config.redisUrl, logger, config.redisPrefix)
      : createMemoryCluster();
  } catch (err) {
    throw new StartupError((err as Error).message);
  }
  return Object.assign(cluster, {
    name: 'cluster',
    async stop() {
      await cluster.instances.remove(config.instanceId).catch(() => {});
      await cluster.close().catch((err: unknown) => logger.error({ err }, 'closing the cluster connection failed'));
    },
  });
}
