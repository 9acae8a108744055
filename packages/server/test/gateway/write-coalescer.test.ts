import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WriteCoalescer } from '../../src/gateway/write-coalescer.js';

type Conn = ServerSocket['conn'];

/**
 * A real Socket.IO server whose connections are wired to a WriteCoalescer the way the
 * gateway wires its agents' (Engine.IO's packetCreate, flush and drain events), and a
 * count of the writes each connection's TCP socket makes.
 */
describe('WriteCoalescer', () => {
  let http: HttpServer;
  let server: Server;
  let client: Socket;
  let serverSocket: ServerSocket;
  let writes: () => number;

  beforeEach(async () => {
    http = createServer();
    server = new Server(http, { serveClient: false });
    const coalescer = new WriteCoalescer();
    const connected = new Promise<ServerSocket>((resolve) => server.on('connection', resolve));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    client = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false });
    serverSocket = await connected;
    const conn: Conn = serverSocket.conn;
    conn.on('packetCreate', () => coalescer.packetCreated(conn));
    conn.on('flush', (packets: unknown[]) => coalescer.flushStarts(conn, packets.length));
    conn.on('drain', () => coalescer.flushEnded(conn));
    writes = countWrites((conn.transport as unknown as { socket: { _socket: Duplex } }).socket._socket);
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    // Let the handshake's own writes finish before counting.
    await new Promise((resolve) => setImmediate(resolve));
  });

  afterEach(async () => {
    client.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the frames of one loop turn to one connection in at most three writes, in order', async () => {
    const received: number[] = [];
    const all = new Promise<void>((resolve) =>
      client.on('frame', (n: number) => {
        received.push(n);
        if (received.length === 20) resolve();
      }),
    );
    const before = writes();
    for (let n = 0; n < 20; n++) serverSocket.emit('frame', n);
    await all;
    // The first frame at once, the second once the turn ends, the other 18 as one flush.
    expect(writes() - before).toBeLessThanOrEqual(3);
    expect(received).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  it('sends the only frame of a turn at once, without waiting for the end of the turn', async () => {
    const got = new Promise((resolve) => client.once('frame', resolve));
    const before = writes();
    serverSocket.emit('frame', 1);
    // Still in the same synchronous stretch: the write has already been made.
    expect(writes() - before).toBe(1);
    await expect(got).resolves.toBe(1);
  });

  it('gathers frames emitted from separate callbacks of one turn', async () => {
    const received: number[] = [];
    const all = new Promise<void>((resolve) =>
      client.on('frame', (n: number) => {
        received.push(n);
        if (received.length === 10) resolve();
      }),
    );
    const before = writes();
    // The loop turn each callback ran in: a busy machine may spread the ten timers over several.
    let turn = 0;
    let counting = true;
    const tick = () => {
      turn++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    const turns = new Set<number>();
    // Ten I/O-like callbacks, of one turn on a quiet machine (each its own macrotask before setImmediate runs).
    await new Promise<void>((resolve) => {
      let done = 0;
      for (let n = 0; n < 10; n++) {
        setTimeout(() => {
          turns.add(turn);
          serverSocket.emit('frame', n);
          if (++done === 10) resolve();
        }, 0);
      }
    });
    counting = false;
    await all;
    // At most the first frame at once and the rest in one corked write, per turn (3 allows one more).
    expect(writes() - before).toBeLessThanOrEqual(3 * turns.size);
    expect(received).toEqual(Array.from({ length: 10 }, (_, n) => n));
  });
});

/** Counts the writes (`_write` or `_writev`, one system call each) a TCP socket makes from now on. */
function countWrites(tcp: Duplex): () => number {
  let n = 0;
  const target = tcp as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
  for (const key of ['_write', '_writev'] as const) {
    const original = target[key];
    if (typeof original !== 'function') continue;
    target[key] = function (this: unknown, ...args: unknown[]) {
      n++;
      return original.apply(this, args);
    };
  }
  return () => n;
}
