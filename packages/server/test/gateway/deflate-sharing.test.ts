import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { attachSocketIo } from '../../src/gateway/attach-socket-io.js';
import { deflateSharingOfProcess } from '../../src/gateway/deflate-sharing.js';

/** Socket.IO as the gateway attaches it (deflate on), over real WebSocket connections. */
describe('a broadcast with per-message deflate', () => {
  let http: HttpServer | undefined;
  // Untyped: the events here are the test's own, not the gateway's.
  let io: Server | undefined;
  const clients: Socket[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    io?.close();
    if (http?.listening) await new Promise((resolve) => http?.close(resolve));
  });

  async function start(): Promise<string> {
    http = createServer();
    io = attachSocketIo({
      httpServer: http,
      corsOrigins: ['*'],
      maxMessageBytes: 1_000_000,
      perMessageDeflate: true,
      pingIntervalMs: 25_000,
      pingTimeoutMs: 20_000,
      isDraining: () => false,
    }) as unknown as Server;
    io.on('connection', (socket) => void socket.join('dashboards'));
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  }

  async function dashboard(url: string, perMessageDeflate: object | false = { threshold: 1024 }): Promise<Socket> {
    // `false` offers no deflate at all (ws's option; engine.io-client's type knows only the object).
    const socket = connect(url, {
      transports: ['websocket'],
      forceNew: true,
      perMessageDeflate: perMessageDeflate as { threshold: number },
    });
    clients.push(socket);
    await next(socket, 'connect');
    return socket;
  }

  it('is deflated once for all the dashboards that deflate, and each reads it whole', async () => {
    const url = await start();
    const sharing = deflateSharingOfProcess();
    if (!sharing) throw new Error('deflate sharing was not installed');
    const same = await Promise.all([1, 2, 3, 4, 5].map(() => dashboard(url)));
    // A client that offers no deflate gets the message as it is.
    const plain = await dashboard(url, false);
    await waitForRoomSize(6);
    const batch = Array.from({ length: 60 }, (_, i) => ({ printerId: `printer-${i}`, status: 'online', at: i }));
    const before = sharing.stats();
    const received = [...same, plain].map((s) => next(s, 'printer:status:batch'));
    io?.to('dashboards').emit('printer:status:batch', batch);
    for (const payload of await Promise.all(received)) expect(payload).toEqual(batch);
    const after = sharing.stats();
    expect(after.compressed - before.compressed).toBe(1);
    expect(after.shared - before.shared).toBe(4);

    // Under the 1 KB threshold nothing is deflated at all.
    const ticks = [...same, plain].map((s) => next(s, 'tick'));
    io?.to('dashboards').emit('tick', { n: 1 });
    await Promise.all(ticks);
    expect(sharing.stats()).toEqual(after);
  });

  async function waitForRoomSize(n: number): Promise<void> {
    // Joins happen in the connection handler, before the client's connect event; this confirms it.
    const sockets = await io?.in('dashboards').fetchSockets();
    if ((sockets?.length ?? 0) !== n) throw new Error(`expected ${n} sockets in the room, found ${sockets?.length}`);
  }
});

/** The next `event` on a client socket, with its first argument. */
function next(socket: Socket, event: string): Promise<unknown> {
  return new Promise((resolve) => socket.once(event, resolve));
}
