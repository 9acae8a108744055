import { describe, expect, it } from 'vitest';
import { BLACK, makePngBase64 } from '../test/make-png.js';
import { encodeTicket } from './encode-ticket.js';
import { DEFAULT_IMAGE_LIMITS } from './image-limits.js';
import { renderTicketTask } from './render-ticket-task.js';

describe('renderTicketTask', () => {
  it('renders the same bytes as encodeTicket, banner included', () => {
    const document = { blocks: [{ type: 'image' as const, png: makePngBase64(8, 8, () => BLACK) }] };
    expect(renderTicketTask({ document, banner: 'REPRINT', imageLimits: DEFAULT_IMAGE_LIMITS })).toEqual({
      ok: true,
      bytes: encodeTicket(document, { banner: 'REPRINT' }),
    });
  });

  it('returns refusals as values, with the problem and its details', () => {
    const document = { blocks: [{ type: 'image' as const, png: makePngBase64(8, 8, () => BLACK) }] };
    expect(renderTicketTask({ document, imageLimits: { ...DEFAULT_IMAGE_LIMITS, maxImagePixels: 63 } })).toEqual({
      ok: false,
      problem: 'image-too-large',
      message: 'image in block 0 is 8x8 (64 pixels); the limit is 63 pixels',
      details: { blockIndex: 0, width: 8, height: 8, pixels: 64, maxImagePixels: 63 },
    });
    expect(
      renderTicketTask({
        document: { blocks: [{ type: 'barcode', symbology: 'ean13', data: 'abc' }] },
        imageLimits: DEFAULT_IMAGE_LIMITS,
      }),
    ).toMatchObject({ ok: false, problem: 'unprintable' });
  });
});
