import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Faults } from './faults.js';
import { InvalidFaultsError, parseFaultsPatch } from './parse-faults-patch.js';
import { type TicketSummary, toTicketSummary } from './stored-ticket.js';
import type { VirtualPrinter } from './virtual-printer.js';

export interface ControlServerOptions {
  /**
   * Interface to bind; default `127.0.0.1`. The endpoint has no authentication, so keep it on a
   * loopback address.
   */
  host?: string;
  /** Default 9180; `0` picks a free port. */
  port?: number;
}

export interface ControlServer {
  /** The port it listens on. */
  readonly port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** `GET /status` body. */
export interface ControlStatus {
  name: string;
  port: number;
  faults: Faults;
  ticketCount: number;
  partialCount: number;
  bytesReceived: number;
  connections: number;
}

/** Largest request body read; a faults change is a few dozen bytes. */
const MAX_BODY_BYTES = 16 * 1024;

class HttpError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      length += chunk.length;
      if (length > MAX_BODY_BYTES) {
        // Answer now; the rest of the body is read and dropped, so the response still gets through.
        tooLarge = true;
        chunks.length = 0;
        reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', `body over ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!tooLarge) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const text = (await readBody(req)).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'BAD_REQUEST', 'body must be a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', 'body is not valid JSON');
  }
}

function notFound(what: string): HttpError {
  return new HttpError(404, 'NOT_FOUND', `${what} not found`);
}

async function route(printer: VirtualPrinter, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  if (path === '/status' && method === 'GET') {
    const status: ControlStatus = {
      name: printer.name,
      port: printer.port,
      faults: printer.faults,
      ticketCount: printer.ticketCount,
      partialCount: printer.partialCount,
      bytesReceived: printer.bytesReceived,
      connections: printer.connections,
    };
    sendJson(res, 200, status);
    return;
  }
  if (path === '/faults' && method === 'POST') {
    let patch: Partial<Faults>;
    try {
      patch = parseFaultsPatch(await readJsonBody(req));
    } catch (error) {
      if (error instanceof InvalidFaultsError) throw new HttpError(400, 'BAD_REQUEST', error.message);
      throw error;
    }
    sendJson(res, 200, await printer.setFaults(patch));
    return;
  }
  if (path === '/tickets' && method === 'GET') {
    const tickets: TicketSummary[] = printer.tickets.map(toTicketSummary);
    sendJson(res, 200, { tickets });
    return;
  }
  if (path === '/tickets' && method === 'DELETE') {
    printer.clear();
    sendJson(res, 200, { cleared: true });
    return;
  }
  const ticketPath = /^\/tickets\/(\d{1,15})$/.exec(path);
  if (ticketPath && method === 'GET') {
    const seq = Number(ticketPath[1]);
    const ticket = printer.tickets.find((t) => t.seq === seq);
    if (!ticket) throw notFound(`ticket ${seq}`);
    sendJson(res, 200, toTicketSummary(ticket));
    return;
  }
  throw notFound(`${method} ${path}`);
}

/**
 * Starts the HTTP control endpoint of a virtual printer (JSON in and out):
 *
 * - `GET /status` → {@link ControlStatus}
 * - `POST /faults` with a `Partial<Faults>` → the faults now in effect (strictly validated: unknown
 *   keys, wrong types or out-of-range numbers are `400`)
 * - `GET /tickets` → `{tickets: TicketSummary[]}` (those in memory); `GET /tickets/:seq` → one, or `404`
 * - `DELETE /tickets` → forgets the tickets in memory
 *
 * Errors are `{error: {code, message}}` with `BAD_REQUEST` (400), `NOT_FOUND` (404),
 * `PAYLOAD_TOO_LARGE` (413) or `INTERNAL` (500, e.g. the printer could not listen again).
 */
export async function startControlServer(
  printer: VirtualPrinter,
  options: ControlServerOptions = {},
): Promise<ControlServer> {
  const server = createServer((req, res) => {
    route(printer, req, res).catch((error: unknown) => {
      const known = error instanceof HttpError;
      const status = known ? error.status : 500;
      const code = known ? error.code : 'INTERNAL';
      const message = error instanceof Error ? error.message : String(error);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (status === 413) res.setHeader('connection', 'close');
      sendJson(res, status, { error: { code, message } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9180, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {});
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
