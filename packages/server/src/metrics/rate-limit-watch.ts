import { DEFAULT_MEMORY_BOUNDS } from '../core/memory-bounds.js';
import type { RateLimiter, RateLimiterOptions } from '../core/ports/rate-limiter.js';

/** How a cluster makes a rate limiter (cluster.ts). */
export type RateLimiterFactory = (
  points: number,
  durationS: number,
  name: string,
  options?: RateLimiterOptions,
) => RateLimiter;

/**
 * The label `rate_limit_rejections_total` counts each limiter's refusals under (create-core.ts
 * names a limiter and its scope apart); a limiter not listed is counted under its name with `_`.
 */
const SCOPE_OF_LIMITER: Readonly<Record<string, string>> = {
  'test-branch': 'printer_test_branch',
  'test-printer': 'printer_test_printer',
  'licence-validate': 'licence_validate',
  'write-branch': 'write_branch',
  'write-credential': 'write_credential',
};

/** One limiter as the JSON view shows it, before its rejections are read from the registry. */
export interface WatchedLimiter {
  /** The label of its rejections in `rate_limit_rejections_total`. */
  scope: string;
  /** Its name in Redis (`<prefix>rl:<name>`). */
  name: string;
  points: number;
  durationS: number;
  /** Keys this process saw refused whose window has not ended yet, soonest free first. */
  blocked: { key: string; retryAfterMs: number }[];
}

/**
 * Wraps the cluster's limiters: keys in the whitelist are never counted nor refused, and each
 * refusal seen by this process is remembered until its window ends, so that the limiters' view
 * can say which keys are blocked now. With Redis the limit is shared, but a key blocked only by
 * another process's requests is not seen here until this process is refused for it too.
 */
export class RateLimitWatch {
  readonly whitelist: ReadonlySet<string>;
  readonly #limiters = new Map<
    string,
    { name: string; points: number; durationS: number; blockedUntil: Map<string, number> }
  >();

  constructor(
    whitelist: readonly string[],
    private readonly now: () => number = Date.now,
    /**
     * Keys remembered as blocked per limiter at most; past it the oldest are forgotten (a flood of
     * distinct keys); PRINTERMASTER_RATE_LIMIT_KEYS_MAX.
     */
    private readonly maxBlockedKeys = DEFAULT_MEMORY_BOUNDS.rateLimitKeys,
  ) {
    this.whitelist = new Set(whitelist);
  }

  /** The factory to build the core's limiters with. */
  wrap(factory: RateLimiterFactory): RateLimiterFactory {
    return (points, durationS, name, options) => {
      const inner = factory(points, durationS, name, options);
      const scope = SCOPE_OF_LIMITER[name] ?? name.replaceAll('-', '_');
      const blockedUntil = new Map<string, number>();
      this.#limiters.set(scope, { name, points, durationS, blockedUntil });
      const noted = (key: string) => (waitMs: number | undefined) => {
        if (waitMs !== undefined) this.#block(blockedUntil, key, waitMs);
        return waitMs;
      };
      return {
        consume: (key) => (this.whitelist.has(key) ? Promise.resolve(undefined) : inner.consume(key).then(noted(key))),
      };
    };
  }

  /** Every limiter built through `wrap`, by scope, with the keys blocked now. */
  limiters(): WatchedLimiter[] {
    const now = this.now();
    return [...this.#limiters].map(([scope, l]) => {
      const blocked: WatchedLimiter['blocked'] = [];
      for (const [key, until] of l.blockedUntil) {
        if (until <= now) l.blockedUntil.delete(key);
        else blocked.push({ key, retryAfterMs: until - now });
      }
      blocked.sort((a, b) => a.retryAfterMs - b.retryAfterMs);
      return { scope, name: l.name, points: l.points, durationS: l.durationS, blocked };
    });
  }

  #block(blockedUntil: Map<string, number>, key: string, waitMs: number): void {
    // Re-inserted so that the map's order is oldest refusal first, for the cap below.
    blockedUntil.delete(key);
    if (blockedUntil.size >= this.maxBlockedKeys) {
      const oldest = blockedUntil.keys().next().value;
      if (oldest !== undefined) blockedUntil.delete(oldest);
    }
    blockedUntil.set(key, this.now() + waitMs);
  }
}
