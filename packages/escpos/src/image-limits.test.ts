import type { TicketDocument } from '@printermaster/protocol';
import { describe, expect, it } from 'vitest';
import { BLACK, makePngBase64 } from '../test/make-png.js';
import { encodeTicket } from './encode-ticket.js';
import { checkDocumentImages, type ImageLimits } from './image-limits.js';
import { TicketImageError } from './ticket-image-error.js';

/** A valid PNG header that declares `width` × `height`, followed by nothing decodable. */
function declaredPng(width: number, height: number): string {
  const png = Buffer.from(
    makePngBase64(1, 1, () => BLACK),
    'base64',
  );
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  return png.toString('base64');
}

const limits: ImageLimits = { maxImagePixels: 100, maxImageBytes: 200, maxDocumentPixels: 150, maxDocumentBytes: 300 };

function refusal(document: TicketDocument, l: ImageLimits = limits): TicketImageError {
  try {
    checkDocumentImages(document, l);
  } catch (err) {
    if (err instanceof TicketImageError) return err;
    throw err;
  }
  throw new Error('the document was accepted');
}

describe('checkDocumentImages', () => {
  it('adds up the pixels and bytes the headers declare', () => {
    const png = makePngBase64(10, 5, () => BLACK);
    const cost = checkDocumentImages(
      {
        blocks: [
          { type: 'text', text: 'x' },
          { type: 'image', png },
          { type: 'image', png },
        ],
      },
      { ...limits, maxImageBytes: 10_000, maxDocumentBytes: 10_000 },
    );
    expect(cost).toEqual({ images: 2, pixels: 100, bytes: 2 * Buffer.from(png, 'base64').length });
  });

  it('refuses one image over the pixel limit from its header, naming the block', () => {
    const err = refusal({
      blocks: [
        { type: 'text', text: 'x' },
        { type: 'image', png: declaredPng(11, 10) },
      ],
    });
    expect(err.problem).toBe('image-too-large');
    expect(err.details).toEqual({ blockIndex: 1, width: 11, height: 10, pixels: 110, maxImagePixels: 100 });
  });

  it('refuses one image over the byte limit without decoding it', () => {
    const err = refusal({ blocks: [{ type: 'image', png: 'A'.repeat(400) }] });
    expect(err).toMatchObject({
      problem: 'image-too-large',
      details: { blockIndex: 0, bytes: 300, maxImageBytes: 200 },
    });
  });

  it('refuses images that are each allowed but too many pixels together', () => {
    const png = declaredPng(10, 8);
    const err = refusal({
      blocks: [
        { type: 'image', png },
        { type: 'image', png },
      ],
    });
    expect(err).toMatchObject({
      problem: 'images-too-large',
      details: { blockIndex: 1, pixels: 160, maxDocumentPixels: 150 },
    });
  });

  it('refuses images that are each allowed but too many bytes together', () => {
    const png = makePngBase64(2, 2, () => BLACK);
    const bytes = Buffer.from(png, 'base64').length;
    const err = refusal(
      {
        blocks: [
          { type: 'image', png },
          { type: 'image', png },
        ],
      },
      {
        ...limits,
        maxImageBytes: bytes,
        maxDocumentBytes: bytes + 1,
      },
    );
    expect(err).toMatchObject({ problem: 'images-too-large', details: { blockIndex: 1, bytes: 2 * bytes } });
  });

  it('refuses an image that is not a PNG or declares no pixels as invalid', () => {
    expect(refusal({ blocks: [{ type: 'image', png: 'aGVsbG8=' }] })).toMatchObject({
      problem: 'invalid',
      details: { blockIndex: 0 },
    });
    expect(refusal({ blocks: [{ type: 'image', png: declaredPng(0, 10) }] }).problem).toBe('invalid');
  });

  it('is applied by encodeTicket before any image is decoded, with the defaults when none are given', () => {
    // The first image would decode; the second declares 16 million pixels, over the default 4 million.
    const document: TicketDocument = {
      blocks: [
        { type: 'image', png: makePngBase64(4, 4, () => BLACK) },
        { type: 'image', png: declaredPng(4000, 4000) },
      ],
    };
    expect(() => encodeTicket(document)).toThrow(TicketImageError);
    expect(() => encodeTicket(document)).toThrow(/block 1 is 4000x4000/);
  });

  it('names the block of an image that fails to decode', () => {
    const truncated = Buffer.from(
      makePngBase64(4, 4, () => BLACK),
      'base64',
    ).subarray(0, 40);
    expect(() =>
      encodeTicket({ blocks: [{ type: 'cut' }, { type: 'image', png: truncated.toString('base64') }] }),
    ).toThrow(/image in block 1: image is a truncated PNG file/);
  });
});
