import type { TicketDocument } from '@printermaster/protocol';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { BLACK, makePngBase64, WHITE } from '../test/make-png.js';
import { decodeEscPos } from './decode-esc-pos.js';
import { encodeTicket } from './encode-ticket.js';
import type { MonoBitmap } from './mono-bitmap.js';
import { renderPaper, renderPreviewPng } from './render-preview.js';

/** The paper of a document, without the closing cut's dashed line (its last 4 bytes, `GS V 65 0`). */
function paperOf(doc: TicketDocument): MonoBitmap {
  const bytes = encodeTicket(doc);
  return renderPaper(doc.blocks.at(-1)?.type === 'cut' ? bytes : bytes.subarray(0, bytes.length - 4)).paper;
}

/** The smallest box holding every dot of ink in rows [top, bottom). */
function inkBox(paper: MonoBitmap, top = 0, bottom = paper.height) {
  let left = Number.POSITIVE_INFINITY;
  let right = -1;
  let first = -1;
  let last = -1;
  for (let y = top; y < bottom; y++) {
    for (let x = 0; x < paper.width; x++) {
      if (paper.get(x, y) !== 1) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      if (first < 0) first = y;
      last = y;
    }
  }
  return { left, right, top: first, bottom: last, width: right - left + 1, height: last - first + 1 };
}

describe('renderPaper', () => {
  it('places text by its alignment on the 576-dot paper, 12 × 24 dots a character', () => {
    const left = inkBox(paperOf({ blocks: [{ type: 'text', text: 'HHHH' }] }));
    expect(left.left).toBeLessThan(12);
    expect(left.right).toBeGreaterThan(36);
    expect(left.right).toBeLessThan(48);
    const right = inkBox(paperOf({ blocks: [{ type: 'text', text: 'HHHH', align: 'right' }] }));
    expect(right.right).toBeGreaterThan(576 - 12);
    const centre = inkBox(paperOf({ blocks: [{ type: 'text', text: 'HHHH', align: 'center' }] }));
    expect(Math.abs(centre.left + centre.right - 576)).toBeLessThan(12);
  });

  it('draws double size twice as wide and tall, and bold with more ink', () => {
    const normal = inkBox(paperOf({ blocks: [{ type: 'text', text: 'H' }] }));
    const double = inkBox(paperOf({ blocks: [{ type: 'text', text: 'H', size: 'double' }] }));
    expect(double.height).toBeGreaterThanOrEqual(2 * normal.height - 2);
    expect(double.width).toBeGreaterThanOrEqual(2 * normal.width - 2);
    const ink = (paper: MonoBitmap) => {
      let count = 0;
      for (let y = 0; y < paper.height; y++) for (let x = 0; x < paper.width; x++) count += paper.get(x, y);
      return count;
    };
    expect(ink(paperOf({ blocks: [{ type: 'text', text: 'Hello', bold: true }] }))).toBeGreaterThan(
      ink(paperOf({ blocks: [{ type: 'text', text: 'Hello' }] })),
    );
  });

  it('draws a QR code of the stored data, module size as sent, with its finder patterns', () => {
    const paper = paperOf({ blocks: [{ type: 'qr', data: 'hello', size: 4, align: 'left' }] });
    const box = inkBox(paper);
    // Version 1 at level M: 21 modules of 4 dots.
    expect(box.width).toBe(84);
    expect(box.height).toBe(84);
    // The finder pattern's 7-module dark border, its light ring, and its 3-module dark centre.
    expect(paper.get(box.left + 2, box.top + 2)).toBe(1);
    expect(paper.get(box.left + 6, box.top + 6)).toBe(0);
    expect(paper.get(box.left + 14, box.top + 14)).toBe(1);
  });

  it('draws bar codes from their symbology and data, as tall as GS h and centred', () => {
    const paper = paperOf({
      blocks: [{ type: 'barcode', data: '5901234123457', symbology: 'ean13', height: 60, hri: false }],
    });
    const box = inkBox(paper);
    expect(box.height).toBe(60);
    // EAN-13 is 95 modules, the first and last of them bars; the encoder sends 2-dot modules.
    expect(box.width).toBe(95 * 2);
    expect(Math.abs(box.left + box.right - 576)).toBeLessThan(4);
  });

  it('draws raster images dot for dot', () => {
    const png = makePngBase64(16, 8, (x) => (x < 8 ? BLACK : WHITE));
    const paper = paperOf({ blocks: [{ type: 'image', png, align: 'left' }] });
    const box = inkBox(paper);
    expect(box).toMatchObject({ left: 0, width: 8, height: 8 });
  });

  it('prints the image GS ( L stored last, where the print command comes, and nothing for images never printed', () => {
    // GS ( L pL pH 48 112 a bx by c xL xH yL yH d…: a 16 × 2 image, left byte black, right byte white.
    const store = (first: number) => [0x1d, 0x28, 0x4c, 14, 0, 48, 112, 48, 1, 1, 49, 16, 0, 2, 0, first, 0, first, 0];
    const print = [0x1d, 0x28, 0x4c, 2, 0, 48, 50];
    const text = [...new TextEncoder().encode('A\n')];
    const paper = renderPaper(Uint8Array.from([...store(0x0f), ...text, ...store(0xf0), ...print])).paper;
    const image = inkBox(paper, 24);
    // The second image (0xf0: its first four dots black; the first, 0x0f, would start at dot 4),
    // below the line of text printed before it.
    expect(image).toMatchObject({ left: 0, width: 4, height: 2 });
    expect(image.top).toBeGreaterThanOrEqual(24);
    // A document of nothing but stored images claiming 32767 × 32767 dots leaves the paper blank.
    const claim = [0x1d, 0x28, 0x4c, 11, 0, 48, 112, 48, 1, 1, 49, 0xff, 0x7f, 0xff, 0x7f, 0xff];
    const hostile = Uint8Array.from(Array.from({ length: 200 }, () => claim).flat());
    expect(inkBox(renderPaper(hostile).paper).right).toBe(-1);
  });

  it('marks each cut with a dashed line, leaving the middle for a partial cut', () => {
    const full = paperOf({ blocks: [{ type: 'cut' }] });
    const partial = paperOf({ blocks: [{ type: 'cut', partial: true }] });
    const cutRow = (paper: MonoBitmap) => {
      for (let y = 0; y < paper.height; y++) if (paper.get(0, y) === 1) return y;
      return -1;
    };
    expect(full.get(288, cutRow(full))).toBe(1);
    expect(partial.get(288, cutRow(partial))).toBe(0);
  });

  it('shows what the decoder reads: every line of text the decoder finds has ink on its row', () => {
    const doc: TicketDocument = {
      blocks: [
        { type: 'text', text: 'Crème brûlée €4.50' },
        { type: 'text', text: 'Борщ' },
        { type: 'text', text: 'Σαλάτα' },
        { type: 'text', text: 'شاورما' },
        { type: 'text', text: '拉面' },
      ],
    };
    const bytes = encodeTicket(doc);
    const decoded = decodeEscPos(bytes)[0]?.text.split('\n') ?? [];
    expect(decoded.join('\n')).not.toContain('?');
    const { paper } = renderPaper(bytes);
    // Five lines: three printed as text (30 dots a line) and two drawn (24 dots and a 6-dot gap).
    const rows = [0, 30, 60, 90, 120].map((top) => inkBox(paper, top, top + 30).height);
    for (const height of rows) expect(height).toBeGreaterThan(8);
  });
});

describe('renderPreviewPng', () => {
  it('writes a greyscale PNG of the paper with a margin', () => {
    const preview = renderPreviewPng(encodeTicket({ blocks: [{ type: 'text', text: 'Hi' }] }));
    const png = PNG.sync.read(preview.png);
    expect(png.width).toBe(576 + 32);
    expect(png.height).toBe(preview.heightDots);
    expect(preview.truncated).toBe(false);
  });

  it('takes the paper width from the GS W the ticket starts with: 384 dots for 58 mm', () => {
    const narrow = renderPreviewPng(encodeTicket({ paperWidth: 58, blocks: [{ type: 'text', text: 'Hi' }] }));
    expect(narrow.widthDots).toBe(384 + 32);
    const hostile = renderPreviewPng(Uint8Array.from([0x1d, 0x57, 0xff, 0xff, 0x41, 0x0a]));
    expect(hostile.widthDots).toBe(1280 + 32);
    const zero = renderPreviewPng(Uint8Array.from([0x1d, 0x57, 0, 0, 0x41, 0x0a]));
    expect(zero.widthDots).toBe(576 + 32);
    const tiny = renderPreviewPng(Uint8Array.from([0x1d, 0x57, 1, 0, 0x41, 0x0a]));
    expect(tiny.widthDots).toBe(8 + 32);
  });

  it('bounds the paper, whatever the stream claims: a 65,535-row image is cut at the limit', () => {
    // GS v 0 declaring 72 bytes × 65,535 rows, with only a few rows of data present.
    const bytes = Uint8Array.from([0x1d, 0x76, 0x30, 0, 72, 0, 0xff, 0xff, ...new Array(72 * 4).fill(0xff)]);
    const preview = renderPreviewPng(bytes, { maxHeightDots: 2000 });
    expect(preview.truncated).toBe(false);
    expect(preview.heightDots).toBeLessThanOrEqual(2000 + 32);
    const long = renderPreviewPng(encodeTicket({ blocks: [{ type: 'feed', lines: 255 }] }), { maxHeightDots: 1000 });
    expect(long.truncated).toBe(true);
    expect(long.heightDots).toBeLessThanOrEqual(1000 + 32);
  });

  it('never throws on arbitrary bytes, and stays within its bounds', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const preview = renderPreviewPng(bytes, { maxHeightDots: 3000 });
        expect(preview.heightDots).toBeLessThanOrEqual(3000 + 32);
        // A stream may open with its own GS W: the paper is then as wide as it says, within bounds.
        expect(preview.widthDots).toBeGreaterThanOrEqual(8 + 32);
        expect(preview.widthDots).toBeLessThanOrEqual(1280 + 32);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the default paper once something has printed, whatever bytes follow', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (tail) => {
        const bytes = Uint8Array.from([0x41, 0x0a, ...tail]);
        expect(renderPreviewPng(bytes, { maxHeightDots: 3000 }).widthDots).toBe(576 + 32);
      }),
      { numRuns: 300 },
    );
  });
});
