import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { registerHeapLimit } from './heap-limit.js';

/** The prefix of every metric the gateway exports. */
const PREFIX = 'printermaster_';

/**
 * A registry holding Node's and the process's default metrics (`printermaster_process_…`,
 * `printermaster_nodejs_…`) and the heap's limit (`printermaster_heap_limit_bytes`).
 */
export function registryWithDefaultMetrics(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  registerHeapLimit(registry, `${PREFIX}heap_limit_bytes`);
  return registry;
}

/**
 * Declares metrics in `registry`, each named `printermaster_<name>`; `/metrics` lists them in the
 * order they are declared. `labels` are the label names (none: the metric is one series);
 * `buckets` are a histogram's upper bounds, in the unit its name ends with.
 */
export function prefixedMetrics(registry: Registry) {
  const registers = [registry];
  return {
    gauge: <L extends string = string>(name: string, help: string, labels: readonly L[] = []) =>
      new Gauge<L>({ name: PREFIX + name, help, labelNames: labels, registers }),
    counter: <L extends string = string>(name: string, help: string, labels: readonly L[] = []) =>
      new Counter<L>({ name: PREFIX + name, help, labelNames: labels, registers }),
    histogram: <L extends string = string>(name: string, help: string, buckets: number[], labels: readonly L[] = []) =>
      new Histogram<L>({ name: PREFIX + name, help, labelNames: labels, buckets, registers }),
  };
}
