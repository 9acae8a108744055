/**
 * Splits `text` into printed lines of at most `width` characters (one UTF-16 unit = one
 * character cell, as produced by `CodePageChooser.printable`).
 *
 * - `\n`, `\r\n` and `\r` force a line break; an empty paragraph yields one empty line.
 * - A line that is too long breaks at the last space that fits; the spaces at the break are dropped.
 * - A word longer than the whole line is split hard at `width`.
 * - Leading spaces of a paragraph are kept (kitchen tickets indent modifiers with them), but they are
 *   not a break opportunity; continuation lines start at the left edge.
 *
 * `width` below 1 is treated as 1.
 */
export function wrapText(text: string, width: number): string[] {
  const lineWidth = Math.max(1, Math.floor(width));
  const lines: string[] = [];
  for (const paragraph of text.split(/\r\n|\r|\n/)) {
    let rest = paragraph;
    let indent = paragraph.length - paragraph.trimStart().length;
    let emitted = false;
    while (rest.length > lineWidth) {
      // One character past the width is included: a space there is a clean break.
      const breakAt = rest.slice(0, lineWidth + 1).lastIndexOf(' ');
      let next: string;
      if (breakAt > indent) {
        lines.push(rest.slice(0, breakAt).trimEnd());
        next = rest.slice(breakAt + 1);
      } else {
        lines.push(rest.slice(0, lineWidth));
        next = rest.slice(lineWidth);
      }
      emitted = true;
      rest = next.trimStart();
      indent = 0;
    }
    if (rest.length > 0 || !emitted) lines.push(rest);
  }
  return lines;
}
