import type { Counter, Gauge } from 'prom-client';

/**
 * prom-client calls a metric's `collect` before each read: these set a metric from live state
 * there, so that nothing on the hot path writes to it.
 */
type Collected = { collect?: () => void | Promise<void> };

/** Fills a gauge with one value per `label` value at every read. */
export function collectFrom(
  gauge: Gauge<string>,
  collect: () => Promise<Record<string, number>> | Record<string, number>,
  label: string,
): void {
  (gauge as unknown as Collected).collect = async () => {
    const values = await collect();
    gauge.reset();
    for (const [value, n] of Object.entries(values)) gauge.set({ [label]: value }, n);
  };
}

/** Sets a gauge from live state at every read. */
export function collectValue(gauge: Gauge, value: () => number | Promise<number>): void {
  (gauge as unknown as Collected).collect = async () => gauge.set(await value());
}

/** Sets a counter from running totals kept elsewhere at every read: `[labels, total]` pairs. */
export function collectTotals(counter: Counter<string>, totals: () => [Record<string, string>, number][]): void {
  (counter as unknown as Collected).collect = () => {
    counter.reset();
    for (const [labels, total] of totals()) counter.inc(labels, total);
  };
}
