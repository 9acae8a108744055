import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../core/ports/logger.js';
import { StartupError } from '../startup-error.js';
import { answerOnSocket, createClientErrorHandler } from './framework-errors.js';

/** `emit` without its overloads. */
type Emit = (event: string | symbol, ...args: unknown[]) => boolean;

type Held = { at: number } & (
  | { kind: 'request'; req: IncomingMessage; res: ServerResponse }
  | { kind: 'upgrade'; req: IncomingMessage; socket: Duplex; head: Buffer; onError: () => void }
);

/** A connection held longer than this gets a 503 (its client gives up after 20 s anyway), ms. */
const MAX_HOLD_MS = 15_000;
/** How long a client may take to send a whole request (headers and body), ms: then 408. */
const REQUEST_TIMEOUT_MS = 120_000;
/** Held connections released per event-loop turn once the gateway is open. */
const RELEASE_PER_TURN = 200;

/** Health probes are answered at once while starting (a probe must not hang); the rest is held. */
const isProbe = (path: string) => /^(\/api)?\/health(\/|$)/.test(path);

/**
 * The gateway's HTTP server, listening from the first moment of start-up.
 *
 * Opening the store and building the services take seconds. A port that is
 * closed meanwhile refuses every agent of a restarted gateway, and each refusal
 * doubles that agent's backoff (1 s, 2 s, 4 s … up to 30 s), so agents come back
 * long after the gateway is ready. Listening first and holding what arrives (the
 * client sees a slow answer, not a refusal) lets them in as soon as it is ready.
 *
 * Held: WebSocket upgrades and requests, at most `maxHeld` at once and for at most
 * 15 s (beyond that, and for health probes, a 503 `SERVICE_UNAVAILABLE`). A request whose
 * client gives up is dropped from the list. An upgrade socket is not read while
 * held (its bytes belong to the WebSocket server), so a client that gave up is
 * only noticed when the upgrade is answered.
 */
export class StartupListener {
  readonly server: Server;
  private handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  private held = new Set<Held>();
  private opened = false;
  private closing = false;
  private readonly expiry: NodeJS.Timeout;
  /** Until when (Unix ms) each answer closes its connection; 0 when not. */
  private keepAliveEndsUntil = 0;

  constructor(
    private readonly logger: Logger,
    private readonly maxHeld = 20_000,
    /**
     * Hold health probes too instead of answering 503. For a successor taking over the embedded
     * store (decision 0010): its predecessor has stopped listening, so a probe answered 503 here
     * would be a failed probe, while one held for the second or two of the handover succeeds.
     */
    private readonly holdProbes = false,
  ) {
    // A request without Host goes to the routes like any other (Node would answer a bare 400).
    this.server = createServer({ requireHostHeader: false });
    // Keep-alive connections outlive nginx's upstream pool (72 s > 60 s), as Fastify's default.
    this.server.keepAliveTimeout = 72_000;
    // A request whose body never finishes is answered 408 REQUEST_TIMEOUT instead of held for
    // ever (Fastify's default is no deadline). It counts until the request is read, not the
    // answer: event streams, long polls and exports are not cut. 2 minutes carry the largest
    // job (PRINTERMASTER_MAX_JOB_BYTES) over a slow branch link.
    this.server.requestTimeout = REQUEST_TIMEOUT_MS;
    // Refused requests get the error envelope from the first moment, not only once Fastify is built.
    this.server.on('clientError', createClientErrorHandler(logger));
    // An `Expect` other than 100-continue is ignored (RFC 9110 allows it), not a bare 417.
    this.server.on('checkExpectation', (req, res) => this.server.emit('request', req, res));
    // CONNECT (a proxy's method) reaches no route: the envelope's 404, not a dropped connection.
    this.server.on('connect', (_req, socket: Duplex) =>
      answerOnSocket(socket, 'NOT_FOUND', 'this server is not a proxy: CONNECT reaches no route'),
    );
    this.expiry = setInterval(() => this.expire(), 1_000);
    this.expiry.unref();
    // Held at the source: listeners attached before `open` (Socket.IO attaches when the gateway
    // is built, before it is ready) must not see a connection that is also held, or it would be
    // handled twice.
    const emit = this.server.emit.bind(this.server) as Emit;
    this.emitNow = emit;
    this.holdingEmit = ((event: string | symbol, ...args: unknown[]): boolean => {
      if (!this.opened && event === 'upgrade') {
        const [req, socket, head] = args as [IncomingMessage, Duplex, Buffer];
        // Node took its own error handler off the socket when it became an upgrade: a reset
        // while it waits here must not be an unhandled 'error' (a crash).
        const h: Held = { kind: 'upgrade', req, socket, head, at: Date.now(), onError: () => {} };
        h.onError = () => {
          socket.destroy();
          this.held.delete(h);
        };
        socket.on('error', h.onError);
        this.hold(h);
        return true;
      }
      if (!this.opened && event === 'request') {
        const [req, res] = args as [IncomingMessage, ServerResponse];
        this.hold({ kind: 'request', req, res, at: Date.now() });
        return true;
      }
      return emit(event, ...args);
    }) as Server['emit'];
    this.server.emit = this.holdingEmit;
    // Node hands an upgrade request to 'upgrade' listeners only if there is one; before Socket.IO
    // attaches, this one makes it an upgrade (held above) rather than a plain request.
    this.server.on('upgrade', () => {});
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.keepAliveEndsUntil > 0) this.endKeepAlive(res);
      if (this.handler) this.handler(req, res);
      else {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ success: false, code: 'SERVICE_UNAVAILABLE', message: 'no HTTP handler' }));
      }
    });
  }

  /** The server's own `emit`, past the hold. */
  private readonly emitNow: Emit;
  /** The `emit` that holds connections until `open`. */
  private readonly holdingEmit: Server['emit'];

  /** Binds the port; rejects as `listen` does (EADDRINUSE, EACCES). */
  listen(host: string, port: number, backlog: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host, port, backlog }, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
  }

  /** Binds the configured address; a failure is a StartupError naming it. */
  async listenOn(http: { host: string; port: number; listenBacklog: number }): Promise<void> {
    try {
      await this.listen(http.host, http.port, http.listenBacklog);
    } catch (err) {
      throw new StartupError(`cannot listen on ${http.host}:${http.port}: ${(err as Error).message}`);
    }
  }

  /** The bound port (the real one when configured as 0), once listening. */
  get port(): number | undefined {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : undefined;
  }

  /** Fastify's `serverFactory`: requests go to `handler` once the gateway is open. */
  readonly serverFactory = (handler: (req: IncomingMessage, res: ServerResponse) => void): Server => {
    this.handler = handler;
    return this.server;
  };

  /**
   * The gateway is ready: held upgrades go to the listeners attached since (Socket.IO's),
   * held requests to the HTTP handler, in arrival order.
   */
  open(): void {
    this.opened = true;
    clearInterval(this.expiry);
    // Past start-up the hold has nothing left to do: the server's own `emit` takes over, so
    // that each request and socket event no longer goes through a rest-argument wrapper.
    if (this.server.emit === this.holdingEmit) Reflect.deleteProperty(this.server, 'emit');
    const held = [...this.held];
    this.held.clear();
    if (held.length > 0) this.logger.info({ count: held.length }, 'connections held during start-up released');
    // In slices, so that a storm's worth of held agents does not keep the loop for one long turn.
    const release = (from: number) => {
      for (const h of held.slice(from, from + RELEASE_PER_TURN)) {
        if (h.kind === 'upgrade') {
          h.socket.off('error', h.onError);
          if (h.socket.destroyed) continue;
          this.emitNow('upgrade', h.req, h.socket, h.head);
        } else if (!h.res.destroyed) this.emitNow('request', h.req, h.res);
      }
      if (from + RELEASE_PER_TURN < held.length) setImmediate(() => release(from + RELEASE_PER_TURN));
    };
    release(0);
  }

  /**
   * For the next `forMs`, each answer says `Connection: close` and closes its connection: a
   * successor is getting ready to take the embedded store over (decision 0010), and the clients of
   * this process's keep-alive connections should have moved on before it stops listening.
   */
  closeEachConnection(forMs: number): void {
    this.keepAliveEndsUntil = Date.now() + forMs;
  }

  private endKeepAlive(res: ServerResponse): void {
    if (Date.now() < this.keepAliveEndsUntil) res.setHeader('connection', 'close');
    else this.keepAliveEndsUntil = 0;
  }

  /** Start-up failed: drops what is held and closes the port and every connection. */
  async abort(): Promise<void> {
    this.closing = true;
    clearInterval(this.expiry);
    for (const h of this.held) {
      if (h.kind === 'upgrade') h.socket.destroy();
      else h.res.destroy();
    }
    this.held.clear();
    const closed = this.close();
    // Connections that sent nothing yet (or half a request) are neither idle nor held.
    this.server.closeAllConnections();
    await closed;
  }

  /**
   * Stops accepting connections; resolves when every connection has ended. Open keep-alive
   * connections stay: each is closed after its next answer (`Connection: close` while draining),
   * and the caller closes the rest (closeAllConnections) once their clients had time to come back.
   */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      // http.Server#close also closes the idle keep-alive connections at once (Node 19+): a client
      // that is sending its next request on one at that moment (a health poller, under load) gets a
      // reset instead of an answer. net.Server#close only stops accepting.
      net.Server.prototype.close.call(this.server, () => resolve());
    });
  }

  private hold(h: Held): void {
    const path = (h.req.url ?? '/').split('?')[0] ?? '/';
    if (this.closing) {
      if (h.kind === 'upgrade') h.socket.destroy();
      else h.res.destroy();
      return;
    }
    if (this.held.size >= this.maxHeld || (h.kind === 'request' && !this.holdProbes && isProbe(path))) {
      this.refuse(h);
      return;
    }
    this.held.add(h);
    const stream = h.kind === 'upgrade' ? h.socket : h.res;
    stream.once('close', () => this.held.delete(h));
  }

  /** Held too long: the client has given up or is about to; a 503 frees the place. */
  private expire(): void {
    const before = Date.now() - MAX_HOLD_MS;
    for (const h of this.held) {
      if (h.at >= before) continue;
      this.held.delete(h);
      this.refuse(h);
    }
  }

  private refuse(h: Held): void {
    const body = JSON.stringify({
      success: false,
      code: 'SERVICE_UNAVAILABLE',
      message: 'the gateway is starting; retry shortly',
    });
    if (h.kind === 'request') {
      h.res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1', connection: 'close' });
      h.res.end(body);
      return;
    }
    if (h.socket.writable) {
      h.socket.end(
        `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    } else h.socket.destroy();
  }
}
