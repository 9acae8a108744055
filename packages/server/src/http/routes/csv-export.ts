import { AsyncResource } from 'node:async_hooks';
import { Readable } from 'node:stream';
import { setImmediate as afterIo } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type CsvCell, csvRow } from '../../core/csv.js';
import { GatewayError } from '../../core/gateway-error.js';
import type { ExportRun, ExportStart, ExportTracker } from '../../metrics/export-tracker.js';

/** Records already written as CSV: CRLF-ended, in order, and how many. */
export interface CsvPage {
  text: string;
  rows: number;
}

/**
 * Where an export's records come from: items in batches with `toRow` to encode them, or pages the
 * store has encoded itself (one string per page, not an object per row: the job history).
 * Either way each is read only when the client has taken the one before (a keyset cursor).
 */
export type CsvSource<T> =
  | { toRow(item: T): CsvCell[]; batches: AsyncIterable<T[]> }
  | { pages: AsyncIterable<CsvPage> };

/** A CSV download: its file name, header row, and the records read from the store as needed. */
export type CsvExport<T = never> = CsvSource<T> & {
  /** The download's name without extension, e.g. `audit-log`; the time of the export is appended. */
  name: string;
  header: readonly string[];
  /** Where the export is listed while it runs and after (`/api/metrics/exports`), and as whose. */
  tracking?: { tracker: ExportTracker } & Omit<ExportStart, 'startedAt'>;
};

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
  const startedAt = Date.now();
  const batches = ('pages' in csv ? csv.pages : encoded(csv.batches, csv.toRow))[Symbol.asyncIterator]();
  const response = reply.raw;
  // Watched from before the first read: a client that leaves while it runs is told by a 'close'
  // that has already been emitted when the read returns.
  let closed = false;
  let run: ExportRun | undefined;
  response.once('close', () => {
    closed = true;
    // 'close' comes after 'finish' when everything was sent, and alone when the client went away.
    run?.finish(response.writableFinished ? 'completed' : 'aborted');
  });
  const first = await batches.next();
  const { tracking } = csv;
  run = tracking ? tracking.tracker.start({ ...tracking, startedAt }) : undefined;
  if (closed) {
    // Nobody to send to: the source is let go now (a database cursor, a pooled connection), not
    // left to a stream that is never read, and the export is listed as aborted, not as running.
    run?.finish('aborted');
    await batches.return?.();
    return;
  }
  // The stream asks for more from the socket's callbacks, outside the request: each read goes back
  // into the request's context, so it keeps the caller's tenant scope (row-level security).
  const next = AsyncResource.bind(() => batches.next());
  // Pages go to the socket as the strings they are (the socket encodes a string as it writes it):
  // a Buffer per page would be one more copy of each, freed only by a garbage collection.
  const chunk = (text: string, rows: number): string => {
    run?.wrote(rows, Buffer.byteLength(text, 'utf8'));
    return text;
  };
  async function* chunks(): AsyncGenerator<string> {
    try {
      yield chunk(csvRow(csv.header), 0);
      for (let batch = first; !batch.done; batch = await next()) {
        const page = batch.value;
        if (page.rows > 0) yield chunk(page.text, page.rows);
        // The embedded store answers without I/O and a fast client's socket rarely pushes back: read
        // after read would then chain through promises alone and starve every other request (a
        // million-job export held /health/live for its whole length). Other I/O runs between batches.
        await afterIo();
      }
    } catch (err) {
      run?.finish('failed', err instanceof GatewayError ? err.code : 'INTERNAL');
      throw err;
    } finally {
      await batches.return?.();
    }
  }
  // One page read ahead of the socket at most (object mode counts pages, not bytes).
  const body = Readable.from(chunks(), { objectMode: true, highWaterMark: 1 });
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

async function* encoded<T>(batches: AsyncIterable<T[]>, toRow: (item: T) => CsvCell[]): AsyncGenerator<CsvPage> {
  for await (const items of batches)
    yield { text: items.map((item) => csvRow(toRow(item))).join(''), rows: items.length };
}
