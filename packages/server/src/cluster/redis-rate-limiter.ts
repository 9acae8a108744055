import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { GatewayError } from '../core/gateway-error.js';
import type { RateLimiter, RateLimiterOptions } from '../core/ports/rate-limiter.js';

/** A rate limiter shared by every gateway process through Redis. */
export class RedisRateLimiter implements RateLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(redis: Redis, points: number, durationS: number, keyPrefix: string, options: RateLimiterOptions = {}) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      points,
      duration: durationS,
      keyPrefix,
      useRedisPackage: false,
      // Not waiting for reconnection attempts: a job waits for no Redis outage.
      ...(options.perProcessWhenUnreachable
        ? { insuranceLimiter: new RateLimiterMemory({ points, duration: durationS }), rejectIfRedisNotReady: true }
        : {}),
    });
  }

  async consume(key: string): Promise<number | undefined> {
    try {
      await this.limiter.consume(key);
      return undefined;
    } catch (res) {
      if (res instanceof RateLimiterRes) return res.msBeforeNext;
      throw new GatewayError('CLUSTER_UNAVAILABLE', {
        message: 'rate limits cannot be checked: Redis is unreachable',
        cause: res,
      });
    }
  }
}
