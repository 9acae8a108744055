/** How far back a rate looks when the view is read often enough, ms. */
const WINDOW_MS = 60_000;
/** Samples kept at most one a second: a view polled in a tight loop keeps few. */
const MIN_SAMPLE_GAP_MS = 1_000;

/**
 * Per-second rates of running totals, from samples taken when the view is read (no timer runs
 * for it). The rate is over the last minute when the view was read a minute ago or more often,
 * else since the previous read (the first read: since start); `windowS` says which.
 */
export class RateWindow {
  readonly #samples: { at: number; totals: Record<string, number> }[];

  constructor(private readonly now: () => number) {
    this.#samples = [{ at: now(), totals: {} }];
  }

  sample<K extends string>(totals: Record<K, number>): Record<K, number> & { windowS: number } {
    const now = this.now();
    const samples = this.#samples;
    // The base is the newest sample at least a window old, or the oldest one there is.
    while (samples.length > 1 && (samples[1]?.at ?? now) <= now - WINDOW_MS) samples.shift();
    const base = samples[0] ?? { at: now, totals: {} };
    const last = samples[samples.length - 1] ?? base;
    if (now - last.at >= MIN_SAMPLE_GAP_MS) samples.push({ at: now, totals: { ...totals } });
    const windowS = (now - base.at) / 1000;
    const rates = {} as Record<K, number>;
    for (const key of Object.keys(totals) as K[]) {
      const delta = totals[key] - (base.totals[key] ?? 0);
      rates[key] = windowS > 0 ? Math.round((delta / windowS) * 100) / 100 : 0;
    }
    return { ...rates, windowS: Math.round(windowS * 10) / 10 };
  }
}
