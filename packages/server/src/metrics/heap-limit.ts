import { getHeapStatistics } from 'node:v8';
import { Gauge, type Registry } from 'prom-client';

/**
 * Declares `name`, the most V8 lets the heap grow to (`heap_size_limit`, set by
 * `--max-old-space-size` or derived from the machine's memory). The default metrics'
 * `nodejs_heap_size_total_bytes` is the heap V8 has reserved so far, which follows the used
 * heap closely (a healthy 140 MB process reads 0.94 used/total); heap used over this limit is
 * the ratio that nears 1 only before an out-of-memory crash. Fixed for the process's life.
 */
export function registerHeapLimit(registry: Registry, name: string): void {
  new Gauge({
    name,
    help: 'Largest size the V8 heap may grow to (heap_size_limit), bytes',
    registers: [registry],
  }).set(getHeapStatistics().heap_size_limit);
}
