let lastMs = Number.NaN;
let lastIso = '';

/**
 * `new Date(ms).toISOString()`, remembering the last answer: a busy gateway stamps many
 * messages within one millisecond, and formatting the date is a measurable share of a
 * printer test's CPU (docs/benchmarks.md). Throws `RangeError` for an invalid time, as
 * `toISOString` does.
 */
export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}
