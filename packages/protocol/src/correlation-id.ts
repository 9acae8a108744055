/**
 * Correlation IDs: `<type>_<unix ms>_<counter 0–999999>_<7 random base36>`,
 * e.g. `printer_test_1696700000000_42_k3j9x0a`. `type` may itself contain
 * underscores; the last three parts are fixed.
 */
export const CORRELATION_ID_PATTERN = /^([a-z][a-z0-9_]*)_(\d{13,})_(\d{1,6})_([0-9a-z]{7})$/;

export const CORRELATION_COUNTER_LIMIT = 1_000_000;

export interface CorrelationIdParts {
  type: string;
  /** Creation time, Unix milliseconds. */
  timestampMs: number;
  counter: number;
  random: string;
}

/** Formats the parts; callers supply a cryptographically random 7-character base36 `random`. */
export function formatCorrelationId(parts: CorrelationIdParts): string {
  return `${parts.type}_${parts.timestampMs}_${parts.counter % CORRELATION_COUNTER_LIMIT}_${parts.random}`;
}

/** The parts of a well-formed ID, or `undefined`. */
export function parseCorrelationId(id: string): CorrelationIdParts | undefined {
  const m = CORRELATION_ID_PATTERN.exec(id);
  if (!m) return undefined;
  return { type: m[1] as string, timestampMs: Number(m[2]), counter: Number(m[3]), random: m[4] as string };
}
