import type { createAdapter } from '@socket.io/redis-adapter';
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
    // Loaded only when used: the Redis client and adapter are a tenth of a second of every start.
    cluster = config.redisUrl
      ? await (await import('./redis-cluster.js')).createRedisCluster(config.redisUrl, logger, config.redisPrefix)
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
