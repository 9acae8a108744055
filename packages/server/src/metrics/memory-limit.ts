import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

/**
 * The memory this process may use, bytes: the cgroup limit (containers,
 * Kubernetes) when there is one, else the machine's memory. Alert rules divide
 * RSS by it.
 */
export function memoryLimitBytes(): number {
  for (const path of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const raw = readFileSync(path, 'utf8').trim();
      const n = Number(raw);
      // cgroup v1 reports "no limit" as a huge number.
      if (raw !== 'max' && Number.isFinite(n) && n > 0 && n < totalmem() * 4) return Math.min(n, totalmem());
    } catch {
      // not in a cgroup with a memory controller
    }
  }
  return totalmem();
}
