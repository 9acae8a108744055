import { fileURLToPath } from 'node:url';
import {
  checkDocumentImages,
  documentNeedsRaster,
  encodeBanner,
  type ImageLimits,
  type PreviewOptions,
  type PreviewTask,
  type RenderTicketOutcome,
  type RenderTicketTask,
  renderTicketTask,
  TICKET_RENDER_WORKER_URL,
  TicketImageError,
  type TicketImageProblem,
  type TicketPreview,
} from '@printermaster/escpos';
import type { PrinterProfile, TicketDocument } from '@printermaster/protocol';
import { Piscina } from 'piscina';
import { GatewayError } from './core/gateway-error.js';
import type { TicketRenderer } from './core/ports/ticket-renderer.js';

export interface TicketRenderPoolOptions {
  /** Worker threads; each renders one document at a time. */
  threads: number;
  /** Documents that may wait for a thread; one more is refused with `RENDERER_BUSY`. */
  maxQueue: number;
  imageLimits: ImageLimits;
  /** A thread with nothing to do ends after this long, ms; the next document starts one again. */
  idleTimeoutMs?: number;
  /** Called once per document, however it ended. */
  onRendered?: (outcome: RenderOutcome, where: 'inline' | 'thread', durationMs: number) => void;
}

/** How one render ended: `refused` is the client's document, `failed` a bug or a dead thread. */
export type RenderOutcome = 'rendered' | 'refused' | 'busy' | 'failed';

/**
 * Text a document without images may hold and still render on the event loop: about a millisecond
 * of wrapping. Larger ones (up to the body limit, tens of milliseconds) go to a thread too.
 */
const INLINE_TEXT_CHARS = 16_384;

const CODES: Readonly<Record<TicketImageProblem, GatewayError['code']>> = {
  invalid: 'IMAGE_INVALID',
  'image-too-large': 'IMAGE_TOO_LARGE',
  'images-too-large': 'JOB_IMAGES_TOO_LARGE',
};

/**
 * Renders ticket documents to ESC/POS on a pool of worker threads (piscina). Decoding and
 * rastering a 2000 × 2000 PNG takes a CPU for a tenth of a second or more; on the event loop
 * that would hold every other request, socket and health probe of the process.
 *
 * Every image is first measured from its PNG header on the event loop, so a document over the
 * limits is refused before it is queued. Small documents without images, and without text that is
 * drawn as a picture (Arabic, Hebrew, CJK, emoji), render inline: a thread round trip would cost
 * more than the render (decision 0008).
 */
export class TicketRenderPool implements TicketRenderer {
  // One pool for both kinds of work: renders and previews share the threads and the queue bound.
  private readonly pool: Piscina<RenderTicketTask | PreviewTask, RenderTicketOutcome | TicketPreview>;
  /** Documents handed to the pool and not yet settled (running or queued). */
  private inPool = 0;

  constructor(private readonly options: TicketRenderPoolOptions) {
    this.pool = new Piscina({
      filename: fileURLToPath(TICKET_RENDER_WORKER_URL),
      minThreads: 0,
      maxThreads: options.threads,
      // No lower CPU priority for the threads (piscina's niceIncrement): with fewer threads than cores
      // the event loop keeps a core anyway, and on a machine busy with other processes a reniced
      // thread got almost no CPU (no document rendered in 10 s in the benchmark).
      idleTimeout: options.idleTimeoutMs ?? 60_000,
    });
  }

  async render(document: TicketDocument, banner?: string, profile?: PrinterProfile): Promise<Uint8Array> {
    const started = performance.now();
    const task: RenderTicketTask = {
      document,
      imageLimits: this.options.imageLimits,
      ...(banner ? { banner } : {}),
      ...(profile ? { profile } : {}),
    };
    let where: 'inline' | 'thread' = 'inline';
    let outcome: RenderOutcome = 'failed';
    try {
      let images: number;
      try {
        images = checkDocumentImages(document, this.options.imageLimits).images;
      } catch (err) {
        if (err instanceof TicketImageError) throw toGatewayError(err.problem, err.message, err.details);
        throw err;
      }
      // Text drawn as a picture needs the pixel font, which takes most of a second to load: a thread's job.
      if (images === 0 && textChars(document) <= INLINE_TEXT_CHARS && !documentNeedsRaster(document, profile, banner)) {
        const bytes = unwrap(renderTicketTask(task));
        outcome = 'rendered';
        return bytes;
      }
      where = 'thread';
      const bytes = unwrap((await this.runInPool(task)) as RenderTicketOutcome);
      outcome = 'rendered';
      return bytes;
    } catch (err) {
      if (err instanceof GatewayError) outcome = err.code === 'RENDERER_BUSY' ? 'busy' : 'refused';
      throw err;
    } finally {
      this.options.onRendered?.(outcome, where, performance.now() - started);
    }
  }

  /**
   * Draws the paper an ESC/POS stream prints (`renderPreviewPng`) on a thread: tens of milliseconds
   * for a ticket, up to the paper bound for a hostile stream.
   * @throws GatewayError `RENDERER_BUSY` (503) when too many renders and previews wait.
   */
  async preview(bytes: Uint8Array, options: PreviewOptions = {}): Promise<TicketPreview> {
    return (await this.runInPool({ bytes, options }, 'preview')) as TicketPreview;
  }

  private async runInPool(
    task: RenderTicketTask | PreviewTask,
    name?: 'preview',
  ): Promise<RenderTicketOutcome | TicketPreview> {
    if (this.inPool >= this.options.threads + this.options.maxQueue) {
      throw new GatewayError('RENDERER_BUSY', {
        message: `${this.inPool} documents are being rendered or waiting; retry shortly`,
        details: { threads: this.options.threads, maxQueue: this.options.maxQueue },
      });
    }
    if (this.closing) throw stopping();
    this.inPool++;
    try {
      return await this.pool.run(task, name === undefined ? {} : { name });
    } catch (err) {
      // Abandoned by the stop (piscina ends its threads under it): the client may retry elsewhere.
      if (this.closing) throw stopping();
      throw err;
    } finally {
      this.inPool--;
    }
  }

  banner(text: string, paperWidth?: number): Uint8Array {
    return encodeBanner(text, paperWidth === 58 ? 58 : 80);
  }

  /** Documents rendering on a thread and waiting for one, now. */
  load(): { running: number; queued: number } {
    const queued = Math.min(this.inPool, this.pool.queueSize);
    return { running: this.inPool - queued, queued };
  }

  /**
   * Ends the threads; a render still running or waiting is abandoned, and its request answered 503
   * `SERVICE_UNAVAILABLE` (the gateway is stopping), as is one asked for from now on.
   */
  async close(): Promise<void> {
    this.closing = true;
    await this.pool.destroy();
  }

  private closing = false;
}

function stopping(): GatewayError {
  return new GatewayError('SERVICE_UNAVAILABLE', {
    message: 'the gateway is stopping; retry on another instance or shortly',
  });
}

function toGatewayError(problem: TicketImageProblem, message: string, details: Record<string, number>): GatewayError {
  const blockIndex = details.blockIndex;
  return new GatewayError(CODES[problem], {
    message,
    details: {
      ...details,
      path: blockIndex === undefined ? 'body/document' : `body/document/blocks/${blockIndex}/png`,
    },
  });
}

function unwrap(outcome: RenderTicketOutcome): Uint8Array {
  if (outcome.ok) return outcome.bytes;
  if (outcome.problem === 'unprintable') {
    // The encoder refuses what cannot print (bad barcode data): the client's input.
    throw new GatewayError('BAD_REQUEST', {
      message: `document cannot be printed: ${outcome.message}`,
      details: { path: 'body/document' },
    });
  }
  throw toGatewayError(outcome.problem, outcome.message, outcome.details);
}

function textChars(document: TicketDocument): number {
  let chars = 0;
  for (const block of document.blocks) {
    if (block.type === 'text') chars += block.text.length;
    else if (block.type === 'columns') chars += block.left.length + block.right.length;
  }
  return chars;
}
