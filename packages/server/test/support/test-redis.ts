import { Redis } from 'ioredis';

/** Redis for tests: PRINTERMASTER_TEST_REDIS_URL, default the local server. */
export const TEST_REDIS_URL = process.env.PRINTERMASTER_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let reachable: Promise<boolean> | undefined;

/** Whether Redis answers; in CI an unreachable Redis fails instead of skipping. */
export function redisAvailable(): Promise<boolean> {
  reachable ??= (async () => {
    const redis = new Redis(TEST_REDIS_URL, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
      retryStrategy: () => null,
    });
    try {
      await redis.connect();
      await redis.ping();
      return true;
    } catch (err) {
      if (process.env.CI === 'true')
        throw new Error(`Redis is not reachable at ${TEST_REDIS_URL} (CI requires it): ${(err as Error).message}`);
      process.stderr.write(`\n[tests] Redis not reachable at ${TEST_REDIS_URL}; Redis-backed tests are skipped\n`);
      return false;
    } finally {
      redis.disconnect();
    }
  })();
  return reachable;
}
