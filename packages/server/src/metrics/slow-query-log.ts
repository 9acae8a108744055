import { isoTime } from '@printermaster/protocol';
import { DEFAULT_MEMORY_BOUNDS } from '../core/memory-bounds.js';
import type { QueryListener } from '../store/database.js';

/** Longest statement text shown, characters. */
const MAX_STATEMENT_LENGTH = 200;

export interface SlowQuery {
  /** The statement's text, literals and whitespace collapsed, cut at 200 characters. */
  statement: string;
  durationMs: number;
  /** When it ended. */
  at: string;
}

/**
 * The store's statements that took at least `thresholdMs`, newest first, for
 * `/api/metrics/performance`. The text is the statement as sent, with placeholders (`$1`) where
 * the values go, so no value (ticket bytes, a licence key hash, a name) is ever kept; literals
 * written into the SQL itself are blanked too.
 */
export class SlowQueryLog {
  readonly #entries: SlowQuery[] = [];

  constructor(
    readonly thresholdMs: number,
    /** Slow statements kept, the newest (PRINTERMASTER_SLOW_QUERIES_KEPT). */
    private readonly maxEntries = DEFAULT_MEMORY_BOUNDS.slowQueries,
  ) {}

  /** The listener to watch the database's statements with. */
  readonly record: QueryListener = ({ sql, durationMs }) => {
    if (durationMs < this.thresholdMs) return;
    if (this.maxEntries === 0) return;
    if (this.#entries.length >= this.maxEntries) this.#entries.shift();
    this.#entries.push({
      statement: statementOf(sql),
      durationMs: Math.round(durationMs * 100) / 100,
      at: isoTime(Date.now()),
    });
  };

  /** The slow statements kept, newest first. */
  entries(): SlowQuery[] {
    return [...this.#entries].reverse();
  }
}

function statementOf(sql: string): string {
  const text = sql
    .replace(/'(?:[^']|'')*'/g, "'?'")
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > MAX_STATEMENT_LENGTH ? `${text.slice(0, MAX_STATEMENT_LENGTH - 1)}…` : text;
}
