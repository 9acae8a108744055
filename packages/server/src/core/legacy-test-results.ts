/** A legacy printer test whose own result may still come. */
export interface AwaitingLegacyResult {
  correlationId: string;
  branchId: string;
  companyId: string;
  printerId: string;
  deviceId: string;
  /** Unix ms after which a result is no longer taken for this test. */
  expiresAt: number;
}

/** How long after its deadline a legacy test still takes its own late result, ms (it comes after ~20 s). */
export const LEGACY_RESULT_WINDOW_MS = 60_000;

/**
 * The pending-request key of a legacy test: legacy acknowledgements carry no correlation ID,
 * so one pending test per printer lets the printer id match them.
 */
export function legacyKey(printerId: string): string {
  return `printer:${printerId}`;
}

/**
 * Legacy (2.0.0) clients echo no correlation ID and report a test's result about 20 s after
 * it, often after the next test of the same printer was sent. Results of one client and one
 * printer come in the order the tests went out, so each result belongs to the oldest test of
 * that client and printer still waiting for one: never to a later test. Entries expire, so a
 * result that never came does not shift every later one for long.
 */
export class LegacyTestResults {
  private readonly byKey = new Map<string, AwaitingLegacyResult[]>();
  private readonly byId = new Map<string, AwaitingLegacyResult>();

  constructor(
    private readonly now: () => number,
    /** Tests waiting at once, at most; past it the oldest are dropped (PRINTERMASTER_LEGACY_TESTS_MAX). */
    private readonly maxAwaiting: number,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  expect(entry: AwaitingLegacyResult): void {
    if (this.byId.size >= this.maxAwaiting) {
      const oldest = this.byId.values().next().value;
      if (oldest) this.take(oldest.correlationId);
    }
    const key = keyOf(entry.branchId, entry.deviceId, entry.printerId);
    const queue = this.byKey.get(key);
    if (queue) queue.push(entry);
    else this.byKey.set(key, [entry]);
    this.byId.set(entry.correlationId, entry);
  }

  /** The oldest unexpired test of this client and printer still waiting for its result; removed. */
  takeOldest(branchId: string, deviceId: string, printerId: string): AwaitingLegacyResult | undefined {
    const key = keyOf(branchId, deviceId, printerId);
    const queue = this.byKey.get(key);
    if (!queue) return undefined;
    const now = this.now();
    let found: AwaitingLegacyResult | undefined;
    while (queue.length > 0 && found === undefined) {
      const next = queue.shift() as AwaitingLegacyResult;
      this.byId.delete(next.correlationId);
      if (next.expiresAt >= now) found = next;
    }
    if (queue.length === 0) this.byKey.delete(key);
    return found;
  }

  /** Removes the test of `correlationId` (its result came through another process); returns it. */
  take(correlationId: string): AwaitingLegacyResult | undefined {
    const entry = this.byId.get(correlationId);
    if (!entry) return undefined;
    this.byId.delete(correlationId);
    const key = keyOf(entry.branchId, entry.deviceId, entry.printerId);
    const queue = this.byKey.get(key);
    if (queue) {
      queue.splice(queue.indexOf(entry), 1);
      if (queue.length === 0) this.byKey.delete(key);
    }
    return entry;
  }

  /** Drops expired entries; returns how many. */
  prune(): number {
    const now = this.now();
    let removed = 0;
    for (const entry of [...this.byId.values()]) {
      if (entry.expiresAt < now) {
        this.take(entry.correlationId);
        removed++;
      }
    }
    return removed;
  }
}

function keyOf(branchId: string, deviceId: string, printerId: string): string {
  return `${branchId}\u0000${deviceId}\u0000${printerId}`;
}
