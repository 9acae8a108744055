import { DEFAULT_IMAGE_LIMITS, MAX_SOURCE_PIXELS } from '@printermaster/escpos';
import { integer } from './setting-kinds.js';

/** Rendering ticket documents on worker threads, and the image limits they are held to. */
export const RENDER_SETTINGS = {
  renderThreads: integer({
    name: 'PRINTERMASTER_RENDER_THREADS',
    group: 'render',
    description: 'Worker threads that render ticket documents (images are decoded there, off the event loop)',
    default: undefined,
    defaultText: 'cores − 1, 1 to 4',
    min: 1,
    max: 64,
  }),
  renderQueue: integer({
    name: 'PRINTERMASTER_RENDER_QUEUE',
    group: 'render',
    description: 'Documents that may wait for a render thread; more are refused with 503 RENDERER_BUSY',
    default: 32,
    min: 0,
    max: 100_000,
  }),
  previewCacheBytes: integer({
    name: 'PRINTERMASTER_PREVIEW_CACHE_BYTES',
    group: 'render',
    description:
      'Ticket previews (PNG) kept in memory per process, bytes in all; the least recently shown are dropped first',
    default: 32 * 1024 * 1024,
    min: 0,
    max: 1024 * 1024 * 1024,
    unit: 'bytes',
  }),
  maxImagePixels: integer({
    name: 'PRINTERMASTER_MAX_IMAGE_PIXELS',
    group: 'render',
    description: `Largest image in a ticket document, width × height as its PNG header declares (413 IMAGE_TOO_LARGE); at most ${MAX_SOURCE_PIXELS}`,
    default: DEFAULT_IMAGE_LIMITS.maxImagePixels,
    min: 1,
    max: MAX_SOURCE_PIXELS,
    unit: 'pixels',
  }),
  maxImageBytes: integer({
    name: 'PRINTERMASTER_MAX_IMAGE_BYTES',
    group: 'render',
    description:
      'Largest PNG file of one image, bytes (413 IMAGE_TOO_LARGE); at most 750000 (the document schema’s cap)',
    default: DEFAULT_IMAGE_LIMITS.maxImageBytes,
    min: 64,
    max: 750_000,
    unit: 'bytes',
  }),
  maxJobImagePixels: integer({
    name: 'PRINTERMASTER_MAX_JOB_IMAGE_PIXELS',
    group: 'render',
    description: 'Largest sum of image pixels in one job’s document (413 JOB_IMAGES_TOO_LARGE)',
    default: DEFAULT_IMAGE_LIMITS.maxDocumentPixels,
    min: 1,
    max: 1_000_000_000,
    unit: 'pixels',
  }),
  maxJobImageBytes: integer({
    name: 'PRINTERMASTER_MAX_JOB_IMAGE_BYTES',
    group: 'render',
    description: 'Largest sum of PNG bytes in one job’s document (413 JOB_IMAGES_TOO_LARGE)',
    default: DEFAULT_IMAGE_LIMITS.maxDocumentBytes,
    min: 64,
    max: 64 * 1024 * 1024,
    unit: 'bytes',
  }),
} as const;
