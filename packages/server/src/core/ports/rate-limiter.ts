/**
 * A fixed-window counter per key (memory or Redis). `consume` takes one point
 * and answers `undefined` when allowed, or the wait in ms until the window resets.
 */
export interface RateLimiter {
  consume(key: string): Promise<number | undefined>;
}

export interface RateLimiterOptions {
  /**
   * While the shared store (Redis) is unreachable, count in this process instead of
   * refusing with `CLUSTER_UNAVAILABLE`: for limits that must not stop printing.
   */
  perProcessWhenUnreachable?: boolean;
}
