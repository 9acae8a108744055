import { Redis } from 'ioredis';
import type { Logger } from '../core/ports/logger.js';

/** A Redis client for the cluster ports. Commands fail fast while Redis is down instead of queueing forever. */
export function createRedis(url: string, logger: Logger, name: string): Redis {
  const redis = new Redis(url, {
    connectionName: `printermaster-${name}`,
    maxRetriesPerRequest: 2,
    connectTimeout: 5_000,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  });
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) logger.error({ err: err.message, client: name }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ client: name }, 'redis connection restored');
    down = false;
  });
  return redis;
}
