// Latency statistics from raw samples (ms). Exact percentiles by sorting: a
// run has at most a few hundred thousand samples.

/** Nearest-rank percentile of an ascending-sorted array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** {count, mean, p50, p90, p99, max} of latency samples, in ms with 0.01 precision. */
export function summarize(samples) {
  const sorted = Float64Array.from(samples).sort();
  if (sorted.length === 0) return { count: 0 };
  let sum = 0;
  for (const v of sorted) sum += v;
  const r = (v) => (v === undefined ? undefined : Math.round(v * 100) / 100);
  return {
    count: sorted.length,
    mean: r(sum / sorted.length),
    p50: r(percentile(sorted, 50)),
    p90: r(percentile(sorted, 90)),
    p99: r(percentile(sorted, 99)),
    max: r(sorted[sorted.length - 1]),
  };
}

/** A growable Float64 sample buffer (cheaper than a plain array for 10^5–10^6 values). */
export class Samples {
  constructor(initial = 1 << 14) {
    this.buf = new Float64Array(initial);
    this.length = 0;
  }

  push(v) {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }

  values() {
    return this.buf.subarray(0, this.length);
  }
}
