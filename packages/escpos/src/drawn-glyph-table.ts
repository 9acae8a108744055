import { DRAWN_GLYPH_KEYS } from './drawn-glyph-index.js';
import { DRAWN_GLYPH_RANGES } from './drawn-glyph-key.js';

/** Each indexed glyph as key × 2^16 + its rank in DRAWN_GLYPH_RANGES' order, sorted: keys together, best first. */
let sortedEntries: Float64Array | undefined;
/** Code point of each rank. */
let codePoints: Uint32Array | undefined;

const RANK_SPAN = 0x10000;

/**
 * Builds the lookup from the generated index on first use: about 37,000 glyphs, 0.6 MB, a few
 * milliseconds. Rasterising those glyphs from the font instead takes 20 s and 750 MB (measured
 * when generating the index), which is why the keys are generated ahead of time.
 */
function table(): { entries: Float64Array; points: Uint32Array } {
  if (sortedEntries === undefined || codePoints === undefined) {
    const bytes = Buffer.from(DRAWN_GLYPH_KEYS, 'base64');
    const points = new Uint32Array(bytes.length / 3);
    const keyed: number[] = [];
    let rank = 0;
    for (const [first, last] of DRAWN_GLYPH_RANGES) {
      for (let codePoint = first; codePoint <= last; codePoint++, rank++) {
        points[rank] = codePoint;
        const key = ((bytes[rank * 3] ?? 0) << 16) | ((bytes[rank * 3 + 1] ?? 0) << 8) | (bytes[rank * 3 + 2] ?? 0);
        if (key !== 0) keyed.push(key * RANK_SPAN + rank);
      }
    }
    sortedEntries = Float64Array.from(keyed).sort();
    codePoints = points;
  }
  return { entries: sortedEntries, points: codePoints };
}

/** Code points whose glyph has `key`, in order of preference; usually one, several for look-alikes. */
export function codePointsWithKey(key: number): number[] {
  const { entries, points } = table();
  const lowest = key * RANK_SPAN;
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((entries[middle] ?? 0) < lowest) low = middle + 1;
    else high = middle;
  }
  const found: number[] = [];
  for (let at = low; at < entries.length; at++) {
    const entry = entries[at] ?? 0;
    if (Math.floor(entry / RANK_SPAN) !== key) break;
    found.push(points[entry % RANK_SPAN] ?? 0);
  }
  return found;
}
