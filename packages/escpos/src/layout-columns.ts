import { wrapText } from './wrap-text.js';

/**
 * Lays out a two-column row (`left` text, `right` text flush right) on lines of `width` characters.
 *
 * Normally one line: `left` is truncated so that at least one space separates it from `right`, and
 * `right` (a price, a quantity) is never truncated. When `right` is so long that no character of
 * `left` would fit, `left` gets its own line (truncated to `width`) and `right` follows flush right,
 * wrapped like text (see {@link wrapText}) if it is longer than a line. Empty sides are simply omitted.
 */
export function layoutColumns(left: string, right: string, width: number): string[] {
  const lineWidth = Math.max(1, Math.floor(width));
  if (right.length === 0) return [left.slice(0, lineWidth)];
  const room = lineWidth - right.length - 1;
  if (left.length === 0 || room >= 1) {
    const shownLeft = left.slice(0, Math.max(0, room));
    const gap = Math.max(0, lineWidth - shownLeft.length - right.length);
    if (right.length <= lineWidth) return [shownLeft + ' '.repeat(gap) + right];
  }
  const lines = left.length > 0 ? [left.slice(0, lineWidth)] : [];
  for (const piece of wrapText(right, lineWidth)) lines.push(piece.padStart(lineWidth));
  return lines;
}
