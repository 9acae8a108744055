/**
 * Digits 0–F, 3 dots wide and 5 tall, each row's bits most significant leftmost. Small enough that
 * six of them fit in a 16 × 16 box.
 */
export const HEX_DIGITS: readonly (readonly number[])[] = [
  [7, 5, 5, 5, 7],
  [2, 6, 2, 2, 7],
  [7, 1, 7, 4, 7],
  [7, 1, 7, 1, 7],
  [5, 5, 7, 1, 1],
  [7, 4, 7, 1, 7],
  [7, 4, 7, 5, 7],
  [7, 1, 1, 2, 2],
  [7, 5, 7, 5, 7],
  [7, 5, 7, 1, 7],
  [7, 5, 7, 5, 5],
  [6, 5, 6, 5, 6],
  [7, 4, 4, 4, 7],
  [6, 5, 5, 5, 6],
  [7, 4, 6, 4, 7],
  [7, 4, 6, 4, 4],
];

/** Size of the box in font dots (the pixel font's full-width cell). */
export const HEX_BOX_SIZE = 16;

/**
 * A 16 × 16 framed box showing the code point in hex (two rows of up to three digits), drawn for a
 * character the font has no glyph for (most emoji). It says which character was meant, where a `?`
 * would say nothing. Returns one byte per dot, rows top to bottom.
 */
export function hexBoxGlyph(codePoint: number): Uint8Array {
  const size = HEX_BOX_SIZE;
  const dots = new Uint8Array(size * size);
  for (let i = 0; i < size; i++) {
    dots[i] = 1;
    dots[(size - 1) * size + i] = 1;
    dots[i * size] = 1;
    dots[i * size + size - 1] = 1;
  }
  const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
  const perRow = Math.ceil(hex.length / 2);
  const rows = [hex.slice(0, perRow), hex.slice(perRow)];
  rows.forEach((digits, rowIndex) => {
    const top = rowIndex === 0 ? 2 : 9;
    const left = Math.floor((size - (digits.length * 4 - 1)) / 2);
    [...digits].forEach((digit, digitIndex) => {
      const pattern = HEX_DIGITS[Number.parseInt(digit, 16)] ?? [];
      pattern.forEach((bits, y) => {
        for (let x = 0; x < 3; x++) {
          if (bits & (4 >> x)) dots[(top + y) * size + left + digitIndex * 4 + x] = 1;
        }
      });
    });
  });
  return dots;
}
