/**
 * The blocks of the pixel font the drawn-text reader knows, in order of preference: where two
 * characters are drawn alike (Latin o, Cyrillic о, Greek ο), the one in the earlier block is the
 * reading unless the word around it says otherwise. ASCII and Latin-1 come first. Inclusive ranges.
 */
export const DRAWN_GLYPH_RANGES: readonly (readonly [number, number])[] = [
  [0x0020, 0x007e],
  [0x00a0, 0x024f], // Latin-1, Latin Extended-A and -B
  [0x1e00, 0x1eff], // Latin Extended Additional (Vietnamese)
  [0x2000, 0x20cf], // punctuation, super- and subscripts, currency
  [0x2100, 0x21ff], // letterlike symbols, number forms, arrows
  [0x2200, 0x23ff], // mathematical operators, technical symbols
  [0x2460, 0x27bf], // enclosed alphanumerics, box drawing, shapes, symbols, dingbats (☕ ✓ ❤)
  [0x0370, 0x052f], // Greek, Cyrillic
  [0x0530, 0x058f], // Armenian
  [0x10a0, 0x10ff], // Georgian
  [0x0e00, 0x0e7f], // Thai (its vowel and tone marks are read as marks)
  [0x0590, 0x05ff], // Hebrew
  [0x0600, 0x06ff], // Arabic
  [0x0750, 0x077f], // Arabic Supplement
  // Forms-B before Forms-A: Arabic's yeh and kaf are drawn like the Persian letters in some positions.
  [0xfe70, 0xfeff], // Arabic Presentation Forms-B: what joined Arabic is drawn with
  [0xfb50, 0xfdff], // Arabic Presentation Forms-A: Persian and Urdu letters, ligatures
  [0x3000, 0x30ff], // CJK punctuation, hiragana, katakana
  [0x3130, 0x318f], // Hangul compatibility jamo
  [0x31f0, 0x31ff], // katakana extensions
  [0xff00, 0xffef], // half- and full-width forms
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xac00, 0xd7a3], // Hangul syllables
];

/** Font rows the key covers: the last one is lost under an underline at normal height. */
export const KEY_ROWS = 15;

/**
 * A 24-bit fingerprint of a glyph, over what every drawn style shows unchanged: rows 0–14 and the
 * even font columns. (At normal width an even column is two printer dots wide, so bold, which adds
 * each dot's right neighbour, leaves its second dot as it was; odd columns are one dot wide and take
 * in their left neighbour.) `dot(row, col)` is the font dot, 1 for ink; `width` is 8 or 16.
 */
export function glyphKey(width: number, dot: (row: number, col: number) => number): number {
  let hash = 0x811c9dc5 ^ width;
  for (let row = 0; row < KEY_ROWS; row++) {
    let bits = 0;
    for (let col = 0; col < width; col += 2) bits = (bits << 1) | (dot(row, col) & 1);
    hash = Math.imul(hash ^ bits, 0x01000193);
  }
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d);
  hash ^= hash >>> 12;
  return hash & 0xffffff || 1;
}
