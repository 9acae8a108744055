import type { Counter, Gauge, Histogram, Summary } from 'prom-client';

type LabelledMetric = Counter<string> | Gauge<string> | Histogram<string> | Summary<string>;

/**
 * Removes the series of `metric` whose `label` names something that no longer exists (a deleted
 * printer or station), so that a registry does not keep one series per thing ever seen. A histogram's
 * bucket series (`le`) go with their series. Returns how many series were removed.
 */
export async function forgetSeries(metric: LabelledMetric, label: string, keep: ReadonlySet<string>): Promise<number> {
  const gone = new Map<string, Record<string, string | number>>();
  for (const { labels } of (await metric.get()).values) {
    const value = labels[label];
    if (value === undefined || keep.has(String(value))) continue;
    const series: Record<string, string | number> = {};
    for (const [name, v] of Object.entries(labels))
      if (name !== 'le' && name !== 'quantile' && v !== undefined) series[name] = v;
    gone.set(JSON.stringify(Object.entries(series).sort(([a], [b]) => (a < b ? -1 : 1))), series);
  }
  for (const series of gone.values()) metric.remove(series);
  return gone.size;
}
