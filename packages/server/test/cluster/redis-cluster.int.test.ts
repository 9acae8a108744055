import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { describe, it } from 'vitest';
import { createRedisCluster } from '../../src/cluster/redis-cluster.js';
import { redisAvailable, TEST_REDIS_URL } from '../support/test-redis.js';
import { describeCluster } from './cluster.contract.js';

if (await redisAvailable()) {
  describeCluster('redis', async () => {
    const keyPrefix = `test:${randomUUID()}:`;
    return {
      cluster: await createRedisCluster(TEST_REDIS_URL, pino({ level: 'silent' }), keyPrefix),
      teardown: async () => {
        const redis = new Redis(TEST_REDIS_URL);
        const keys = await redis.keys(`${keyPrefix}*`);
        if (keys.length > 0) await redis.del(...keys);
        await redis.quit();
      },
    };
  });
} else {
  describe.skip('cluster ports (redis): Redis not reachable', () => it('skipped', () => {}));
}
