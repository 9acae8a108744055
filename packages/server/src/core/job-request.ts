import type { CreatePrintJobBody, TicketDocument } from '@printermaster/protocol';
import { GatewayError } from './gateway-error.js';

/** Renders a ticket document to ESC/POS (print-job-service.ts TicketRenderer.render). */
type Render = (document: TicketDocument) => Promise<Uint8Array>;

export interface JobRequestLimits {
  /** Useful-until when the request gives none, ms after creation. */
  defaultTtlMs: number;
  /** Latest useful-until accepted, ms after creation. */
  maxTtlMs: number;
  /** Largest ESC/POS content, bytes (after base64 decoding or rendering). */
  maxJobBytes: number;
}

/** What a checked create request stores: the print bytes and the useful-until time (Unix ms). */
export interface JobRequest {
  content: Uint8Array;
  usefulUntil: number;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
/** Largest `orderData`, as UTF-8 bytes of its JSON (16 KB: docs/api.md). */
const MAX_ORDER_DATA_BYTES = 16_384;

/** Whether `key` is a usable `Idempotency-Key`: 1–255 printable ASCII characters. */
export function isIdempotencyKey(key: string): boolean {
  return IDEMPOTENCY_KEY.test(key);
}

/**
 * Checks a create request at `now` (Unix ms) and produces its bytes: decoded base64, or the
 * rendered document. Rendering is the expensive check, so it comes last.
 * @throws GatewayError `BAD_REQUEST` (with the field path), `PAYLOAD_TOO_LARGE`, or the renderer's errors.
 */
export async function readJobRequest(
  body: CreatePrintJobBody,
  now: number,
  limits: JobRequestLimits,
  render: Render,
): Promise<JobRequest> {
  const usefulUntil = usefulUntilOf(body.usefulUntil, now, limits);
  if (body.orderData && Buffer.byteLength(JSON.stringify(body.orderData)) > MAX_ORDER_DATA_BYTES) {
    throw new GatewayError('BAD_REQUEST', {
      message: 'orderData is larger than 16 KB',
      details: { path: 'body/orderData' },
    });
  }
  return { content: await contentOf(body, limits.maxJobBytes, render), usefulUntil };
}

/**
 * The ESC/POS bytes of a request that gives exactly one of `content` (base64) or `document` (rendered).
 * @throws GatewayError `BAD_REQUEST` (with the field path), `PAYLOAD_TOO_LARGE`, or the renderer's errors.
 */
export async function contentOf(
  body: Pick<CreatePrintJobBody, 'content' | 'document'>,
  maxJobBytes: number,
  render: Render,
): Promise<Uint8Array> {
  if ((body.content === undefined) === (body.document === undefined)) {
    throw new GatewayError('BAD_REQUEST', {
      message: 'give exactly one of content (base64 ESC/POS) or document',
      details: { path: 'body/content' },
    });
  }
  let bytes: Uint8Array;
  if (body.content !== undefined) {
    // The base64 length bounds the decoded size: refuse before allocating.
    if ((body.content.length / 4) * 3 > maxJobBytes + 2) throw tooLarge(maxJobBytes);
    if (!BASE64.test(body.content)) {
      throw new GatewayError('BAD_REQUEST', {
        message: 'content is not valid base64',
        details: { path: 'body/content' },
      });
    }
    bytes = Buffer.from(body.content, 'base64');
  } else {
    bytes = await render(body.document as TicketDocument);
  }
  if (bytes.byteLength === 0) {
    throw new GatewayError('BAD_REQUEST', { message: 'content is empty', details: { path: 'body/content' } });
  }
  if (bytes.byteLength > maxJobBytes) throw tooLarge(maxJobBytes);
  return bytes;
}

function tooLarge(maxJobBytes: number): GatewayError {
  return new GatewayError('PAYLOAD_TOO_LARGE', {
    message: `print content is larger than ${maxJobBytes} bytes`,
    details: { maxJobBytes },
  });
}

function usefulUntilOf(requested: string | undefined, now: number, limits: JobRequestLimits): number {
  if (requested === undefined) return now + limits.defaultTtlMs;
  const at = Date.parse(requested);
  if (Number.isNaN(at)) {
    throw new GatewayError('BAD_REQUEST', {
      message: 'usefulUntil is not a date-time',
      details: { path: 'body/usefulUntil' },
    });
  }
  if (at <= now) {
    throw new GatewayError('BAD_REQUEST', {
      message: 'usefulUntil is in the past',
      details: { path: 'body/usefulUntil' },
    });
  }
  if (at > now + limits.maxTtlMs) {
    throw new GatewayError('BAD_REQUEST', {
      message: `usefulUntil is more than ${Math.round(limits.maxTtlMs / 3_600_000)} h ahead`,
      details: { path: 'body/usefulUntil' },
    });
  }
  return at;
}
