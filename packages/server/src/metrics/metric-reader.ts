import type { Registry } from 'prom-client';

/** One series of a metric as the registry holds it. */
export interface SeriesValue {
  labels: Record<string, string | number>;
  value: number;
  /** For a histogram's parts: `…_bucket`, `…_sum`, `…_count`. */
  metricName?: string;
}

/**
 * Reads metrics back from the registry `/metrics` is rendered from, so that the JSON views and
 * the Prometheus text show the same numbers (collect callbacks run, as for a scrape).
 */
export class MetricReader {
  constructor(private readonly registry: Registry) {}

  /** Every series of `name` (the full, prefixed name); none when it is not registered. */
  async series(name: string): Promise<SeriesValue[]> {
    const metric = this.registry.getSingleMetric(name);
    if (!metric) return [];
    const { values } = await metric.get();
    return values as SeriesValue[];
  }

  /** The one value of a metric without labels; `undefined` when it is not registered. */
  async value(name: string): Promise<number | undefined> {
    return (await this.series(name))[0]?.value;
  }

  /** Sums a counter's or gauge's series by the value of `label`. */
  async sumBy(name: string, label: string): Promise<Record<string, number>> {
    const sums: Record<string, number> = {};
    for (const s of await this.series(name)) {
      const key = String(s.labels[label] ?? '');
      sums[key] = (sums[key] ?? 0) + s.value;
    }
    return sums;
  }

  /**
   * A histogram's buckets merged by the labels in `by` (the others summed over): per group, the
   * cumulative count at each upper bound, ascending, `+Inf` last.
   */
  async histogramBy(name: string, by: readonly string[]): Promise<Map<string, HistogramBuckets>> {
    const groups = new Map<string, HistogramBuckets>();
    for (const s of await this.series(name)) {
      if (s.metricName !== `${name}_bucket`) continue;
      const key = by.map((l) => String(s.labels[l] ?? '')).join(' ');
      let group = groups.get(key);
      if (!group) {
        group = { labels: Object.fromEntries(by.map((l) => [l, String(s.labels[l] ?? '')])), counts: new Map() };
        groups.set(key, group);
      }
      const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
      group.counts.set(le, (group.counts.get(le) ?? 0) + s.value);
    }
    return groups;
  }
}

export interface HistogramBuckets {
  labels: Record<string, string>;
  /** Cumulative observations at or below each upper bound. */
  counts: Map<number, number>;
}

/**
 * The `q` quantile (0 to 1) estimated from cumulative buckets as Prometheus's
 * `histogram_quantile` does: linear within the bucket it falls in, and the highest finite bound
 * when it falls in `+Inf`. So it is only as precise as the buckets are narrow.
 */
export function quantileOf(buckets: HistogramBuckets, q: number): number | undefined {
  const bounds = [...buckets.counts.keys()].sort((a, b) => a - b);
  const total = buckets.counts.get(Number.POSITIVE_INFINITY) ?? 0;
  if (total === 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bound of bounds) {
    const count = buckets.counts.get(bound) ?? 0;
    if (count >= rank) {
      if (bound === Number.POSITIVE_INFINITY) return lowerBound;
      const inBucket = count - lowerCount;
      return inBucket === 0 ? bound : lowerBound + ((bound - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound;
}
