import type { HealthHistoryEntry } from '@printermaster/protocol';
import type { Clock } from './clock.js';

/** What the health tracker keeps of an agent that left, so that its reconnection continues its record. */
export interface GoneRecord {
  history: HealthHistoryEntry[];
  /** The last pings' round trips, ms; `null` for one lost (the link that dropped counts as one). */
  samples: (number | null)[];
  /** Connections of the device seen by this process, the one that ended included. */
  connects: number;
}

/**
 * Agents that disconnected lately, by device, for a while: a link that drops and comes back keeps
 * its latency history and counts the drop as a lost ping, where a fresh record would show a
 * flapping link as a healthy one. Bounded in time and in number (the oldest go first).
 */
export class RecentlyGone {
  private readonly records = new Map<string, GoneRecord & { at: number }>();

  constructor(
    private readonly clock: Clock,
    /** How long a record is kept, ms (PRINTERMASTER_DEPARTED_AGENT_KEEP_S). */
    private readonly keepMs: number,
    /** Records kept at most, each with its history (PRINTERMASTER_DEPARTED_AGENTS_MAX); 0: none. */
    private readonly max: number,
  ) {}

  remember(key: string, record: GoneRecord): void {
    const now = this.clock.now();
    this.records.delete(key);
    this.records.set(key, { ...record, at: now });
    // Oldest first in insertion order: drop the expired ones, then any beyond the bound.
    for (const [k, r] of this.records) {
      if (now - r.at <= this.keepMs && this.records.size <= this.max) break;
      this.records.delete(k);
    }
  }

  /** The record of `key`, once: a reconnection takes it over. */
  take(key: string): GoneRecord | undefined {
    const record = this.records.get(key);
    this.records.delete(key);
    if (!record || this.clock.now() - record.at > this.keepMs) return undefined;
    return { history: record.history, samples: record.samples, connects: record.connects };
  }
}
