/**
 * The sessions (refresh token families) revoked lately, whose access tokens every request and
 * socket must refuse although their signature and `exp` are fine. An entry is kept until the
 * longest an access token of it can live has passed (`keepMs` after it was heard of), so the
 * list stays bounded by the sessions revoked within one access token lifetime.
 */
export class SessionRevocations {
  /** Family id → Unix ms after which no access token of it can still be valid. Insertion order = age. */
  private readonly until = new Map<string, number>();
  private readonly listeners: ((familyId: string) => void)[] = [];
  /**
   * Until when (Unix ms) the memory misses revocations it had to drop for room while their
   * tokens could still be valid. Until then it may only say "revoked", never "not revoked":
   * `complete` is false and the session service asks the store (failing closed, not open).
   */
  private incompleteUntil = 0;

  constructor(
    private readonly deps: {
      now: () => number;
      keepMs: number;
      /** Remembered at most; past it the oldest are dropped first and `complete` turns false. */
      maxEntries: number;
    },
  ) {}

  /** Refuses the family's access tokens from now on, and tells the listeners (open sockets). */
  add(familyId: string): void {
    const isNew = !this.until.has(familyId);
    this.until.delete(familyId);
    this.until.set(familyId, this.deps.now() + this.deps.keepMs);
    this.prune();
    if (isNew) for (const listener of this.listeners) listener(familyId);
  }

  isRevoked(familyId: string): boolean {
    const until = this.until.get(familyId);
    return until !== undefined && until > this.deps.now();
  }

  /** Calls `listener` once for each newly revoked family. */
  onRevoked(listener: (familyId: string) => void): void {
    this.listeners.push(listener);
  }

  get size(): number {
    return this.until.size;
  }

  /** Whether every revocation heard whose tokens may still be valid is remembered. */
  get complete(): boolean {
    return this.deps.now() >= this.incompleteUntil;
  }

  private prune(): void {
    const now = this.deps.now();
    const max = this.deps.maxEntries;
    for (const [familyId, until] of this.until) {
      if (until > now && this.until.size <= max) break;
      if (until > now) this.incompleteUntil = Math.max(this.incompleteUntil, until);
      this.until.delete(familyId);
    }
  }
}
