import type { Clock } from './clock.js';
import type { Printer } from './ports/printer-store.js';

export interface PrinterCacheOptions {
  /**
   * How long an entry is trusted, ms. Changes made through this process drop the entry at
   * once, and other processes announce theirs over the cluster bus; the TTL bounds how stale
   * an entry can be if such a notice is lost (the bus is best effort).
   */
  ttlMs: number;
  /** Entries kept at most; beyond that the cache starts over (printers are cheap to reload). */
  maxEntries: number;
}

/**
 * Printers by id for hot read paths (printer tests), so that a test costs no store
 * round trip. Only for fields that change through `PrinterService` (address, name,
 * type, capabilities, owning agent); a printer's live status is not read from here.
 */
export class PrinterCache {
  private readonly entries = new Map<string, { printer: Printer; at: number }>();
  /** Bumped by every `forget`: a load that overlapped one may have read the old row. */
  private generation = 0;
  /** Reads answered from memory and from the store, since start (metrics: cache_lookups_total). */
  readonly lookups = { hits: 0, misses: 0 };

  constructor(
    private readonly clock: Clock,
    private readonly options: PrinterCacheOptions,
  ) {}

  /** The entry if it is fresh, without loading: lets a hot path skip an `await` on a hit. */
  peek(id: string): Printer | undefined {
    const hit = this.entries.get(id);
    if (!hit || this.clock.now() - hit.at >= this.options.ttlMs) return undefined;
    // A miss here is counted by the `get` that follows it.
    this.lookups.hits += 1;
    return hit.printer;
  }

  async get(id: string, load: (id: string) => Promise<Printer | undefined>): Promise<Printer | undefined> {
    const hit = this.entries.get(id);
    const now = this.clock.now();
    if (hit && now - hit.at < this.options.ttlMs) {
      this.lookups.hits += 1;
      return hit.printer;
    }
    this.lookups.misses += 1;
    const generation = this.generation;
    const printer = await load(id);
    if (generation !== this.generation) return printer;
    if (!printer) {
      this.entries.delete(id);
      return undefined;
    }
    if (this.entries.size >= this.options.maxEntries) this.entries.clear();
    this.entries.set(id, { printer, at: now });
    return printer;
  }

  forget(id: string): void {
    this.generation += 1;
    this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }
}
