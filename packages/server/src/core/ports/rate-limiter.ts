/**
 * A fixed-window counter per key (memory or Redis). `consume` takes one point
 * and answers `undefined` when allowed, or the wait in ms until the window resets.
 */
export interface RateLimiter {
  consume(key: string): Promise<number | undefined>;
}
