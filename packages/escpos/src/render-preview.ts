import { PNG } from 'pngjs';
import type { MonoBitmap } from './mono-bitmap.js';
import { PaperRenderer } from './paper-renderer.js';
import { readCommand } from './read-command.js';

/** What a preview may cost. */
export interface PreviewOptions {
  /**
   * Width of the paper in dots; default: the first `GS W` of the stream, else 576 (80 mm at 203 dpi),
   * at most 1,280. Wider content is cut at the edge.
   */
  paperWidthDots?: number;
  /** Longest paper drawn, dots; the rest is left out and `truncated` set. Default 16,000 (2 m). */
  maxHeightDots?: number;
}

/** A ticket as it comes out of the printer, as a PNG picture. */
export interface TicketPreview {
  png: Uint8Array;
  /** Picture size in dots: the paper width plus the margins, and as long as the printout. */
  widthDots: number;
  heightDots: number;
  /** True when the printout was longer than `maxHeightDots` and its end is not drawn. */
  truncated: boolean;
}

const DEFAULT_PAPER_DOTS = 576;
/** Wider than any receipt head (112 mm at 300 dpi is 1,323 … at 203 dpi 832): bounds a hostile GS W. */
const MAX_PAPER_DOTS = 1280;
/** Commands looked through for a `GS W` before anything prints; the encoder sends it third. */
const WIDTH_SCAN_COMMANDS = 64;

/** The print area the stream sets before it prints anything, if it does. */
function declaredWidth(bytes: Uint8Array): number | undefined {
  let offset = 0;
  for (let i = 0; i < WIDTH_SCAN_COMMANDS && offset < bytes.length; i++) {
    const read = readCommand(bytes, offset);
    if (read === undefined) return undefined;
    // GS W 0 is no width at all; the printer keeps its own, and so does the preview.
    if (read.command.kind === 'print-area-width') return read.command.dots > 0 ? read.command.dots : undefined;
    if (read.command.kind === 'text' || read.payload > 0) return undefined;
    offset += read.length + read.payload;
  }
  return undefined;
}
const DEFAULT_MAX_HEIGHT_DOTS = 16_000;
/** Paper around the printable area, so the edge of the print is visible. */
const MARGIN_DOTS = 16;

/**
 * Draws what an ESC/POS byte stream puts on paper: every command read by the same reader as the
 * decoder and the virtual printer use (`readCommand`), drawn dot for dot by `PaperRenderer`. Never
 * throws on malformed input: unknown commands are skipped, a command cut short at the end is dropped,
 * and the cost is bounded by the paper (width × `maxHeightDots`), whatever the stream claims.
 */
export function renderPaper(
  bytes: Uint8Array,
  options: PreviewOptions = {},
): { paper: MonoBitmap; truncated: boolean } {
  const width = options.paperWidthDots ?? declaredWidth(bytes) ?? DEFAULT_PAPER_DOTS;
  const renderer = new PaperRenderer(
    Math.max(8, Math.min(MAX_PAPER_DOTS, width)),
    options.maxHeightDots ?? DEFAULT_MAX_HEIGHT_DOTS,
  );
  let offset = 0;
  while (offset < bytes.length && !renderer.full) {
    const read = readCommand(bytes, offset);
    if (read === undefined) break;
    const end = offset + read.length;
    renderer.apply({
      command: read.command,
      raw: bytes.subarray(offset, end),
      payload: bytes.subarray(end, Math.min(bytes.length, end + read.payload)),
    });
    offset = end + read.payload;
  }
  return { paper: renderer.finish(), truncated: renderer.truncated };
}

/** {@link renderPaper} as a greyscale PNG with a margin of paper around the print. */
export function renderPreviewPng(bytes: Uint8Array, options: PreviewOptions = {}): TicketPreview {
  const { paper, truncated } = renderPaper(bytes, options);
  const width = paper.width + 2 * MARGIN_DOTS;
  const height = Math.max(1, paper.height) + 2 * MARGIN_DOTS;
  const data = new Uint8Array(width * height).fill(255);
  for (let y = 0; y < paper.height; y++) {
    const row = (y + MARGIN_DOTS) * width + MARGIN_DOTS;
    for (let x = 0; x < paper.width; x++) if (paper.get(x, y) === 1) data[row + x] = 0;
  }
  // No row filters: paper and ink compress well without them, it is faster, and any reader can read the rows.
  const png = PNG.sync.write(
    { width, height, data },
    { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8, filterType: 0 },
  );
  return { png, widthDots: width, heightDots: height, truncated };
}
