import { AsyncResource } from 'node:async_hooks';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type CsvCell, csvRow } from '../../core/csv.js';

/** A CSV download: its file name, header row, and the rows in batches read from the store as needed. */
export interface CsvExport<T> {
  /** The download's name without extension, e.g. `audit-log`; the time of the export is appended. */
  name: string;
  header: readonly string[];
  toRow(item: T): CsvCell[];
  /** Batches in order, each read only when the client has taken the one before (a keyset cursor). */
  batches: AsyncIterable<T[]>;
}

/** Whether a list request asks for CSV: `?format=csv`, or `Accept: text/csv` (before any JSON type). */
export function wantsCsv(request: FastifyRequest, format: string | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  const accept = request.headers.accept ?? '';
  return /(^|,)\s*text\/csv\s*(;|,|$)/i.test(accept);
}

/**
 * Streams an export as `text/csv`. The first batch is read before anything is sent, so a refused
 * filter or a store error still gets the JSON error envelope; later errors can only cut the
 * download short (its status is sent).
 *
 * Memory stays constant whatever the size: the stream pulls the next batch only when the socket
 * has drained what it was given (a `Readable` piped to the response waits for `drain`), and a
 * client that goes away destroys the stream, which ends the batches' iterator: no further reads.
 */
export async function sendCsv<T>(reply: FastifyReply, csv: CsvExport<T>): Promise<void> {
  const batches = csv.batches[Symbol.asyncIterator]();
  const first = await batches.next();
  // The stream asks for more from the socket's callbacks, outside the request: each read goes back
  // into the request's context, so it keeps the caller's tenant scope (row-level security).
  const next = AsyncResource.bind(() => batches.next());
  async function* chunks(): AsyncGenerator<string> {
    try {
      yield csvRow(csv.header);
      for (let batch = first; !batch.done; batch = await next()) {
        if (batch.value.length > 0) yield batch.value.map((item) => csvRow(csv.toRow(item))).join('');
      }
    } finally {
      await batches.return?.();
    }
  }
  const body = Readable.from(chunks(), { objectMode: false, highWaterMark: 64 * 1024 });
  const stamp = new Date()
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z');
  void reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${csv.name}-${stamp}.csv"`)
    .header('cache-control', 'no-store')
    .send(body);
}
