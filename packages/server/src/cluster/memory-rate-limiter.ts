import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiter } from '../core/ports/rate-limiter.js';

/** A per-process rate limiter (one gateway process, or tests). */
export class MemoryRateLimiter implements RateLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(points: number, durationS: number) {
    this.limiter = new RateLimiterMemory({ points, duration: durationS });
  }

  // Chained rather than awaited: one promise fewer on every printer test and job (docs/benchmarks.md).
  consume(key: string): Promise<number | undefined> {
    return this.limiter.consume(key).then(allowed, refused);
  }
}

const allowed = (): undefined => undefined;

function refused(res: unknown): number {
  if (res instanceof RateLimiterRes) return res.msBeforeNext;
  throw res;
}
