import type { TicketDocument } from '@printermaster/protocol';
import { base64ByteLength, readPngSizeBase64 } from './png-header.js';
import { TicketImageError } from './ticket-image-error.js';

/**
 * What the encoder accepts in the images of one document. Decoding costs memory and CPU in
 * proportion to the pixels an image declares, not to its file size (a 20 KB PNG can declare 16
 * million pixels), so pixels are limited as well as bytes.
 */
export interface ImageLimits {
  /** Largest width × height of one image, as its PNG header declares it. */
  maxImagePixels: number;
  /** Largest PNG file of one image, bytes (after base64 decoding). */
  maxImageBytes: number;
  /** Largest sum of width × height over every image of one document. */
  maxDocumentPixels: number;
  /** Largest sum of PNG file sizes over every image of one document, bytes. */
  maxDocumentBytes: number;
}

/**
 * The defaults: a 2000 × 2000 image (a receipt printer is 384 or 576 dots wide, so a logo needs far
 * less) and four of them per ticket; a PNG file of 512 KiB and 768 KiB of images per ticket (what a
 * 1 MiB JSON body holds as base64).
 */
export const DEFAULT_IMAGE_LIMITS: Readonly<ImageLimits> = {
  maxImagePixels: 4_000_000,
  maxImageBytes: 524_288,
  maxDocumentPixels: 16_000_000,
  maxDocumentBytes: 786_432,
};

/** The cost of a document's images, as their headers declare it. */
export interface DocumentImageCost {
  images: number;
  pixels: number;
  bytes: number;
}

/**
 * Checks every image of `document` against `limits` from the PNG headers alone, before anything
 * is decoded, so an oversized image is refused at the cost of reading 24 bytes.
 *
 * @throws TicketImageError: `invalid` for an image that is not a PNG, `image-too-large` for one image
 * over a limit, `images-too-large` when the images together are; `details.blockIndex` names the block.
 */
export function checkDocumentImages(document: TicketDocument, limits: ImageLimits): DocumentImageCost {
  const cost: DocumentImageCost = { images: 0, pixels: 0, bytes: 0 };
  document.blocks.forEach((block, blockIndex) => {
    if (block.type !== 'image') return;
    const bytes = base64ByteLength(block.png);
    if (bytes > limits.maxImageBytes) {
      throw new TicketImageError(
        'image-too-large',
        `image in block ${blockIndex} is ${bytes} bytes; the limit is ${limits.maxImageBytes}`,
        { blockIndex, bytes, maxImageBytes: limits.maxImageBytes },
      );
    }
    let size: { width: number; height: number };
    try {
      size = readPngSizeBase64(block.png);
    } catch (err) {
      if (!(err instanceof TicketImageError)) throw err;
      throw new TicketImageError(err.problem, `image in block ${blockIndex}: ${err.message}`, { blockIndex });
    }
    const pixels = size.width * size.height;
    if (pixels > limits.maxImagePixels) {
      throw new TicketImageError(
        'image-too-large',
        `image in block ${blockIndex} is ${size.width}x${size.height} (${pixels} pixels); the limit is ${limits.maxImagePixels} pixels`,
        { blockIndex, width: size.width, height: size.height, pixels, maxImagePixels: limits.maxImagePixels },
      );
    }
    cost.images++;
    cost.pixels += pixels;
    cost.bytes += bytes;
    if (cost.pixels > limits.maxDocumentPixels) {
      throw new TicketImageError(
        'images-too-large',
        `the document's images have more than ${limits.maxDocumentPixels} pixels together`,
        { blockIndex, pixels: cost.pixels, maxDocumentPixels: limits.maxDocumentPixels },
      );
    }
    if (cost.bytes > limits.maxDocumentBytes) {
      throw new TicketImageError(
        'images-too-large',
        `the document's images are more than ${limits.maxDocumentBytes} bytes together`,
        { blockIndex, bytes: cost.bytes, maxDocumentBytes: limits.maxDocumentBytes },
      );
    }
  });
  return cost;
}
