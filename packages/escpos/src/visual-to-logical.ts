import { bidi, reorderByLevels } from './reorder-by-levels.js';

const PRESENTATION_FORM = /[\uFB50-\uFDFF\uFE70-\uFEFF]/gu;

/**
 * The logical text that, put in visual order by rule L2 with `direction` as the paragraph's, gives
 * `visual` (one entry per drawn cluster, left to right): the same reordering run on the visual string's
 * own levels, brackets mirrored back in right-to-left runs, and Arabic presentation forms (what joined
 * letters are drawn with) turned back into letters by NFKC; in NFC, as the rasteriser draws text.
 */
function undoVisualOrder(visual: readonly string[], direction: 'ltr' | 'rtl'): string {
  const { levels } = bidi().getEmbeddingLevels(visual.join(''), direction);
  let index = 0;
  const parts = visual.map((char) => {
    const level = levels[index] ?? 0;
    index += char.length;
    return { char: level % 2 === 1 ? (bidi().getMirroredCharacter(char) ?? char) : char, level };
  });
  reorderByLevels(parts);
  return parts
    .map((part) => part.char)
    .join('')
    .replace(PRESENTATION_FORM, (form) => form.normalize('NFKC'))
    .normalize('NFC');
}

/**
 * Logical texts that may have been drawn as `visual`, most likely first; the caller keeps the first
 * that draws the same picture. A picture can fit several: `شاورما 2x` drawn right to left and
 * `2x شاورما` drawn left to right look alike, so a line with letters of both directions is read in
 * the direction of most of its letters first.
 */
export function logicalReadings(visual: readonly string[]): string[] {
  let rightToLeft = 0;
  let leftToRight = 0;
  for (const char of visual) {
    const type = bidi().getBidiCharTypeName(char);
    if (type === 'R' || type === 'AL') rightToLeft++;
    else if (type === 'L') leftToRight++;
  }
  if (rightToLeft === 0) return [undoVisualOrder(visual, 'ltr')];
  const order: ('ltr' | 'rtl')[] = rightToLeft > leftToRight ? ['rtl', 'ltr'] : ['ltr', 'rtl'];
  const readings = order.map((direction) => undoVisualOrder(visual, direction));
  return readings[0] === readings[1] ? [readings[0] ?? ''] : readings;
}

const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Georgian',
  'Hebrew',
  'Arabic',
  'Han',
  'Hiragana',
  'Katakana',
  'Hangul',
].map((name) => ({ name, pattern: new RegExp(`^\\p{Script=${name}}$`, 'u') }));

function scriptOf(codePoint: number): string | undefined {
  const char = String.fromCodePoint(codePoint);
  return SCRIPTS.find(({ pattern }) => pattern.test(char))?.name;
}

/** Persian and Urdu letters' joined forms; Arabic's are in Forms-B. */
const PRESENTATION_FORMS_A = (codePoint: number): boolean => codePoint >= 0xfb50 && codePoint <= 0xfdff;

/**
 * Picks one character for each drawn cluster from those drawn alike (`choices[i]`, in order of
 * preference; an empty list is a space): the one in the script of the nearest letter of the same
 * word that has only one reading, else the first. So `Борщ` drawn reads back in Cyrillic, though its
 * о and р are drawn as Latin o and p are. In a word with a Persian letter, a yeh or kaf drawn like
 * the Arabic one is read as Persian.
 */
export function chooseLookalikes(choices: readonly (readonly number[])[]): number[] {
  return choices.map((options, at) => {
    const first = options[0] ?? 0x20;
    if (options.length < 2) return first;
    let start = at;
    while ((choices[start - 1]?.length ?? 0) > 0) start--;
    let end = at;
    while ((choices[end + 1]?.length ?? 0) > 0) end++;
    const known: number[] = [];
    for (let distance = 1; at - distance >= start || at + distance <= end; distance++) {
      for (const near of [at - distance, at + distance]) {
        const neighbour = choices[near];
        if (near >= start && near <= end && neighbour?.length === 1) known.push(neighbour[0] ?? 0);
      }
    }
    if (known.some(PRESENTATION_FORMS_A)) {
      const persian = options.find(PRESENTATION_FORMS_A);
      if (persian !== undefined) return persian;
    }
    for (const neighbour of known) {
      const script = scriptOf(neighbour);
      const match = script === undefined ? undefined : options.find((option) => scriptOf(option) === script);
      if (match !== undefined) return match;
    }
    return first;
  });
}
