/** Licences kept in memory at most (about 1 KB each); past it the memory starts over. */
import { DEFAULT_MEMORY_BOUNDS } from './memory-bounds.js';
import type { LicenseChangeFeed } from './ports/license-change-feed.js';
import type { License, LicenseStore } from './ports/license-store.js';

/**
 * The licences a process validates, kept in memory by key hash so that a reconnect storm
 * of thousands of handshakes reads no licence rows, and dropped as soon as the database
 * announces a change to them (LicenseChangeFeed), so that a revoked key is still refused at
 * its next handshake whoever revoked it. Nothing in memory is trusted while the feed is not
 * live: every lookup then reads the store. Without a feed, it is a plain read-through.
 */
export class LicenseCache {
  private readonly byHash = new Map<string, License>();
  /** Every key hash a licence is held under (its key, and the key its rotation replaced). */
  private readonly hashesById = new Map<string, Set<string>>();
  /** Counts change notices: a read that began before one may hold what changed, and is not kept. */
  private notices = 0;
  /** Key hashes changed while a load of every licence runs (`undefined` in it: something was missed). */
  private changedDuringLoad: Set<string | undefined> | undefined;
  private loading: Promise<void> | undefined;
  private readonly listeners: ((keyHash: string | undefined) => void)[] = [];
  /** Lookups answered from memory and from the store, since start (metrics: cache_lookups_total). */
  readonly lookups = { hits: 0, misses: 0 };

  constructor(
    private readonly licenses: LicenseStore,
    private readonly changes?: LicenseChangeFeed,
    /** Licences kept at most; one more starts the memory over (PRINTERMASTER_LICENCE_CACHE_MAX). */
    private readonly maxEntries = DEFAULT_MEMORY_BOUNDS.licenceCache,
  ) {}

  /**
   * Starts hearing licence changes and loads the licences into memory (the most recently
   * used first, at most `maxEntries`), so that the first handshakes after a restart read nothing.
   * If the feed cannot listen yet, licences are read on every lookup until it can.
   */
  async start(): Promise<void> {
    if (!this.changes) return;
    await this.changes.start((keyHash) => this.changed(keyHash));
    if (this.changes.live) await this.load();
  }

  /** Stops hearing changes and forgets every licence. */
  async stop(): Promise<void> {
    await this.changes?.stop();
    this.byHash.clear();
    this.hashesById.clear();
  }

  /** The licence of a key hash: from memory while the feed is live, else (and then kept) from the store. */
  async find(keyHash: string): Promise<License | undefined> {
    if (this.changes?.live) {
      const cached = this.byHash.get(keyHash);
      if (cached) {
        this.lookups.hits += 1;
        return cached;
      }
    }
    this.lookups.misses += 1;
    const before = this.notices;
    const license = await this.licenses.findByKeyHash(keyHash);
    // Kept only if no change was announced while it was read: it could be the old row.
    if (license && this.changes?.live && this.notices === before) this.remember(keyHash, license);
    return license;
  }

  /**
   * Calls `listener` after every change notice, with the key hash that changed, or `undefined`
   * when anything may have changed (the feed was away, or the table was emptied).
   */
  onChange(listener: (keyHash: string | undefined) => void): void {
    this.listeners.push(listener);
  }

  /** The key hashes a licence is held under in memory, by id (none when it is not held). */
  hashesOf(id: string): string[] {
    return [...(this.hashesById.get(id) ?? [])];
  }

  /** Tells the listeners of a change this process made, before the database's notice comes back. */
  announce(keyHash: string | undefined): void {
    for (const listener of this.listeners) listener(keyHash);
  }

  /** Drops a licence this process is changing, without waiting for the database's notice. */
  forget(id: string): void {
    const hashes = this.hashesById.get(id);
    if (hashes === undefined) return;
    this.hashesById.delete(id);
    for (const keyHash of hashes) this.byHash.delete(keyHash);
  }

  private changed(keyHash: string | undefined): void {
    this.notices += 1;
    this.changedDuringLoad?.add(keyHash);
    if (keyHash === undefined) {
      // The feed lost its connection and is back: anything may have changed meanwhile.
      this.byHash.clear();
      this.hashesById.clear();
      void this.load().catch(() => {});
    } else {
      // Both keys of a rotated licence go: the row they were read from changed.
      const license = this.byHash.get(keyHash);
      if (license) this.forget(license.id);
      this.byHash.delete(keyHash);
    }
    this.announce(keyHash);
  }

  /** Loads every licence into memory (one load at a time); what changed meanwhile is left out. */
  private load(): Promise<void> {
    this.loading ??= (async () => {
      const changed = new Set<string | undefined>();
      this.changedDuringLoad = changed;
      try {
        const rows = await this.licenses.listWithKeyHashes(this.maxEntries);
        if (changed.has(undefined) || !this.changes?.live) return;
        for (const { keyHash, license } of rows) if (!changed.has(keyHash)) this.remember(keyHash, license);
      } finally {
        this.changedDuringLoad = undefined;
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  private remember(keyHash: string, license: License): void {
    if (this.byHash.size >= this.maxEntries) {
      this.byHash.clear();
      this.hashesById.clear();
    }
    this.byHash.set(keyHash, license);
    let hashes = this.hashesById.get(license.id);
    if (!hashes) {
      hashes = new Set();
      this.hashesById.set(license.id, hashes);
    }
    hashes.add(keyHash);
  }
}
