import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiter } from '../core/ports/rate-limiter.js';

/** A per-process rate limiter (one gateway process, or tests). */
export class MemoryRateLimiter implements RateLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(points: number, durationS: number) {
    this.limiter = new RateLimiterMemory({ points, duration: durationS });
  }

  async consume(key: string): Promise<number | undefined> {
    try {
      await this.limiter.consume(key);
      return undefined;
    } catch (res) {
      if (res instanceof RateLimiterRes) return res.msBeforeNext;
      throw res;
    }
  }
}
