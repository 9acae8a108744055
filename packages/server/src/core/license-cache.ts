import type { LicenseChangeFeed } from './ports/license-change-feed.js';
import type { License, LicenseStore } from './ports/license-store.js';

/** Licences kept in memory at most (about 1 KB each); past it the memory starts over. */
const MAX_CACHED_LICENCES = 100_000;

/**
 * The licences a process validates, kept in memory by key hash so that a reconnect storm
 * of thousands of handshakes reads no licence rows, and dropped as soon as the database
 * announces a change to them (LicenseChangeFeed), so that a revoked key is still refused at
 * its next handshake whoever revoked it. Nothing in memory is trusted while the feed is not
 * live: every lookup then reads the store. Without a feed, it is a plain read-through.
 */
export class LicenseCache {
  private readonly byHash = new Map<string, License>();
  private readonly hashById = new Map<string, string>();
  /** Counts change notices: a read that began before one may hold what changed, and is not kept. */
  private notices = 0;
  /** Key hashes changed while a load of every licence runs (`undefined` in it: something was missed). */
  private changedDuringLoad: Set<string | undefined> | undefined;
  private loading: Promise<void> | undefined;
  private readonly listeners: ((keyHash: string | undefined) => void)[] = [];

  constructor(
    private readonly licenses: LicenseStore,
    private readonly changes?: LicenseChangeFeed,
  ) {}

  /**
   * Starts hearing licence changes and loads the licences into memory (the most recently
   * used first, at most 100,000), so that the first handshakes after a restart read nothing.
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
    this.hashById.clear();
  }

  /** The licence of a key hash: from memory while the feed is live, else (and then kept) from the store. */
  async find(keyHash: string): Promise<License | undefined> {
    if (this.changes?.live) {
      const cached = this.byHash.get(keyHash);
      if (cached) return cached;
    }
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

  /** The key hash of a licence held in memory, by id. */
  hashOf(id: string): string | undefined {
    return this.hashById.get(id);
  }

  /** Tells the listeners of a change this process made, before the database's notice comes back. */
  announce(keyHash: string | undefined): void {
    for (const listener of this.listeners) listener(keyHash);
  }

  /** Drops a licence this process is changing, without waiting for the database's notice. */
  forget(id: string): void {
    const keyHash = this.hashById.get(id);
    if (keyHash === undefined) return;
    this.hashById.delete(id);
    this.byHash.delete(keyHash);
  }

  private changed(keyHash: string | undefined): void {
    this.notices += 1;
    this.changedDuringLoad?.add(keyHash);
    if (keyHash === undefined) {
      // The feed lost its connection and is back: anything may have changed meanwhile.
      this.byHash.clear();
      this.hashById.clear();
      void this.load().catch(() => {});
    } else {
      const license = this.byHash.get(keyHash);
      if (license) this.hashById.delete(license.id);
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
        const rows = await this.licenses.listWithKeyHashes(MAX_CACHED_LICENCES);
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
    if (this.byHash.size >= MAX_CACHED_LICENCES) {
      this.byHash.clear();
      this.hashById.clear();
    }
    this.byHash.set(keyHash, license);
    this.hashById.set(license.id, keyHash);
  }
}
