import type { PrinterProfile, TicketDocument } from '@printermaster/protocol';
import { encodeTicket } from './encode-ticket.js';
import type { ImageLimits } from './image-limits.js';
import { TicketImageError, type TicketImageProblem } from './ticket-image-error.js';

/** One document to render, as it is posted to a render thread (structured-clone safe). */
export interface RenderTicketTask {
  document: TicketDocument;
  /** Printed first in large type (e.g. REPRINT); see `EncodeTicketOptions.banner`. */
  banner?: string;
  imageLimits: ImageLimits;
  /** The printer's profile (code pages, raster, paper width); default `DEFAULT_PRINTER_PROFILE`. */
  profile?: PrinterProfile;
}

/**
 * The result of a render, as a value: an error thrown in a worker thread reaches the pool as a plain
 * `Error` without its class or fields, so refusals come back as data and are rebuilt on the other side.
 */
export type RenderTicketOutcome =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; problem: TicketImageProblem; message: string; details: Record<string, number> }
  /** Any other refusal of the encoder (bad barcode data). */
  | { ok: false; problem: 'unprintable'; message: string };

/**
 * Renders one task. A bug (anything but a `RangeError`) is thrown, not returned.
 */
export function renderTicketTask(task: RenderTicketTask): RenderTicketOutcome {
  try {
    const bytes = encodeTicket(task.document, {
      imageLimits: task.imageLimits,
      ...(task.banner ? { banner: task.banner } : {}),
      ...(task.profile ? { profile: task.profile } : {}),
    });
    return { ok: true, bytes };
  } catch (err) {
    if (err instanceof TicketImageError) {
      return { ok: false, problem: err.problem, message: err.message, details: { ...err.details } };
    }
    if (err instanceof RangeError) return { ok: false, problem: 'unprintable', message: err.message };
    throw err;
  }
}

/** The module a worker thread loads to run `renderTicketTask` (its default export). */
export const TICKET_RENDER_WORKER_URL = new URL('./ticket-render-worker.js', import.meta.url);
