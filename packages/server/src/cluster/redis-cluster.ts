import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/ports/logger.js';
import type { Cluster } from './cluster.js';
import { RedisAgentDirectory } from './redis-agent-directory.js';
import { RedisClusterBus } from './redis-cluster-bus.js';
import { createRedis } from './redis-connection.js';
import { RedisInstanceRegistry } from './redis-instance-registry.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';

/** The cluster state in Redis, shared by every gateway process of a deployment. */
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
