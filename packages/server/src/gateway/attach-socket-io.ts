import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { GatewayServer } from './gateway-sockets.js';

export interface AttachSocketIoDeps {
  /** Fastify's server: Socket.IO takes its upgrades and `/socket.io/` requests. */
  httpServer: HttpServer;
  /** Allowed browser origins; `*` allows any. */
  corsOrigins: string[];
  /** Largest message a client may send, bytes. */
  maxMessageBytes: number;
  /** Per-message deflate for messages over 1 KB. */
  perMessageDeflate: boolean;
  /** Socket.IO adapter for broadcasts across processes (Redis); default in-memory. */
  adapter?: ReturnType<typeof import('@socket.io/redis-adapter').createAdapter>;
  /** Engine.IO ping interval and the wait for its pong, ms. */
  pingIntervalMs: number;
  pingTimeoutMs: number;
  /** True once a drain began: new connections are then refused, so that clients go to another process. */
  isDraining: () => boolean;
  /** A browser connection refused for its Origin (CORS_ORIGINS); `address` is the peer's IP. */
  onOriginRefused?: (origin: string, address: string | undefined) => void;
}

/**
 * Puts Socket.IO on the HTTP server, with the wire settings of docs/protocol.md#transport: the path, message
 * size, pings, deflate, the cluster adapter, and which connections are let in at all.
 */
export function attachSocketIo(deps: AttachSocketIoDeps): GatewayServer {
  const anyOrigin = deps.corsOrigins.includes('*');
  return new Server(deps.httpServer, {
    path: '/socket.io/',
    serveClient: false,
    maxHttpBufferSize: deps.maxMessageBytes,
    pingInterval: deps.pingIntervalMs,
    pingTimeout: deps.pingTimeoutMs,
    // Deflate for messages over 1 KB (docs/protocol.md#transport). ws honours the threshold only without
    // context takeover; with it, every message is compressed and each connection keeps its
    // zlib windows (~230 KiB) for life. A smaller window and memLevel bound the state a
    // connection keeps once it has sent a large message (docs/decisions/0004).
    perMessageDeflate: deps.perMessageDeflate
      ? {
          threshold: 1024,
          serverNoContextTakeover: true,
          clientNoContextTakeover: true,
          serverMaxWindowBits: 13,
          zlibDeflateOptions: { memLevel: 6 },
          // ws runs at most this many zlib calls at once, for all connections together (default
          // 10). Each call waits a loop turn for its thread-pool result, so 10 allowed about
          // 3,000 compressions a second: a status batch to 500 dashboards ten times a second
          // queued for seconds (docs/benchmarks.md, fan-out).
          concurrencyLimit: 64,
        }
      : false,
    ...(deps.adapter ? { adapter: deps.adapter } : {}),
    cors: { origin: anyOrigin ? true : deps.corsOrigins, credentials: true },
    // Browsers send an Origin; agents and servers do not. Only a foreign browser origin is refused.
    allowRequest: (req, callback) => {
      if (deps.isDraining()) return callback(null, false);
      const origin = req.headers.origin;
      const allowed = anyOrigin || origin === undefined || deps.corsOrigins.includes(origin);
      if (!allowed) deps.onOriginRefused?.(origin, req.socket.remoteAddress);
      callback(null, allowed);
    },
  });
}
