import { createRequire } from 'node:module';
import type { Bidi } from 'bidi-js';

// A CommonJS module whose type declarations describe it as ESM; required, it is what it says.
const require = createRequire(import.meta.url);

let instance: Bidi | undefined;

/**
 * The Unicode bidirectional algorithm (bidi-js), one instance for the package, built on first use:
 * building its tables takes 40–110 ms, which every gateway start paid although only a ticket line
 * in a right-to-left or unencodable script needs it.
 */
export function bidi(): Bidi {
  instance ??= (require('bidi-js') as () => Bidi)();
  return instance;
}

/**
 * Rule L2 of the Unicode bidirectional algorithm, in place: from the highest embedding level down to
 * the lowest odd one, every run of parts at that level or above is reversed. Used both to put a line
 * in visual order for drawing and, on the visual string's own levels, to undo it when reading back.
 */
export function reorderByLevels<T extends { level: number }>(parts: T[]): T[] {
  const highest = parts.reduce((max, part) => Math.max(max, part.level), 0);
  const lowestOdd = parts.reduce((min, part) => (part.level % 2 === 1 ? Math.min(min, part.level) : min), 255);
  for (let level = highest; level >= lowestOdd && level > 0; level--) {
    for (let start = 0; start < parts.length; ) {
      if ((parts[start]?.level ?? 0) < level) {
        start++;
        continue;
      }
      let end = start;
      while (end < parts.length && (parts[end]?.level ?? 0) >= level) end++;
      parts.splice(start, end - start, ...parts.slice(start, end).reverse());
      start = end;
    }
  }
  return parts;
}
