import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AddressInfo, connect, type Socket as TcpSocket } from 'node:net';
import type { Duplex } from 'node:stream';
import pino from 'pino';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StartupListener } from '../../src/http/startup-listener.js';
import { admitted } from '../support/socket-clients.js';

const silent = pino({ level: 'silent' });

/** A request or upgrade as the listener got it: the server-side ends, to await their `close`. */
type Arrival = { event: 'request'; req: IncomingMessage; res: ServerResponse } | { event: 'upgrade'; socket: Duplex };

/**
 * Arrivals at a starting listener, observed where it decides to hold them: Node hands each
 * parsed request and upgrade to the server's `emit`, which the listener replaces until it opens.
 * Watching it tells a test that a client's request has reached the listener (and was held or
 * refused), which is what it must know before it opens or aborts. The listener itself has no
 * such signal (a count of held connections would do). `stop` puts the listener's `emit` back,
 * as `open` expects it.
 */
function watchArrivals(listener: StartupListener) {
  const holding = listener.server.emit;
  const emit = holding as (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;
  const arrivals: Arrival[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  listener.server.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
    const result = emit.call(this, event, ...args);
    if (event === 'request' || event === 'upgrade') {
      arrivals.push(
        event === 'request'
          ? { event, req: args[0] as IncomingMessage, res: args[1] as ServerResponse }
          : { event, socket: args[1] as Duplex },
      );
      for (const w of waiters.filter((w) => arrivals.length >= w.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
    return result;
  } as typeof holding;
  return {
    arrivals,
    /** Resolves once `count` requests and upgrades have arrived in all. */
    reached(count: number): Promise<void> {
      if (arrivals.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    stop() {
      listener.server.emit = holding;
    },
  };
}

/** Resolves when the server side of an arrival has closed (the listener forgets it then). */
function closed(arrival: Arrival | undefined): Promise<void> {
  if (!arrival) throw new Error('no such arrival');
  const stream = arrival.event === 'request' ? arrival.res : arrival.socket;
  if (stream.destroyed && stream.closed) return Promise.resolve();
  return new Promise((resolve) => stream.once('close', () => resolve()));
}

describe('StartupListener', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function started(maxHeld?: number) {
    const listener = new StartupListener(silent, maxHeld);
    await listener.listen('127.0.0.1', 0, 128);
    cleanups.push(() => listener.close());
    const url = `http://127.0.0.1:${(listener.server.address() as AddressInfo).port}`;
    return { listener, url };
  }

  function client(url: string): Socket {
    const s = io(url, { transports: ['websocket'], reconnection: false, timeout: 20_000 });
    cleanups.push(() => {
      s.close();
    });
    return s;
  }

  /** What the gateway does once ready: Socket.IO on the server, the HTTP handler via serverFactory. */
  function becomeReady(listener: StartupListener): Server {
    const sio = new Server(listener.server, { transports: ['websocket'] });
    cleanups.push(() => {
      sio.close();
    });
    listener.serverFactory((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url }));
    });
    listener.open();
    return sio;
  }

  it('holds socket connections and requests that arrive while starting, and lets them in once open', async () => {
    const { listener, url } = await started();
    const watch = watchArrivals(listener);
    const socket = client(url);
    let connectedEarly = false;
    socket.on('connect', () => {
      connectedEarly = !sio;
    });
    const request = fetch(`${url}/printing/printers`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await watch.reached(2);
    expect(socket.connected).toBe(false);
    watch.stop();
    let sio: Server | undefined;
    sio = becomeReady(listener);
    await admitted(socket);
    expect(connectedEarly).toBe(false);
    expect(await request).toEqual({ status: 200, body: { path: '/printing/printers' } });
    // And after opening, new arrivals go straight through, past the hold: the server's own emit.
    expect(Object.hasOwn(listener.server, 'emit')).toBe(false);
    const later = client(url);
    await admitted(later);
    const direct = await fetch(`${url}/after-open`);
    expect(await direct.json()).toEqual({ path: '/after-open' });
  });

  it('keeps held connections from a Socket.IO server attached before it opens, and lets each in once', async () => {
    const { listener, url } = await started();
    // The gateway attaches Socket.IO when it is built, a moment before it is ready.
    const sio = new Server(listener.server, { transports: ['websocket'] });
    cleanups.push(() => {
      sio.close();
    });
    let connections = 0;
    sio.on('connection', (s) => {
      connections += 1;
      s.on('echo', (ack: () => void) => ack());
    });
    listener.serverFactory((_req, res) => res.end('{}'));
    const watch = watchArrivals(listener);
    const socket = client(url);
    const errors: Error[] = [];
    socket.on('connect_error', (e) => errors.push(e));
    await watch.reached(1);
    expect(socket.connected).toBe(false);
    expect(connections).toBe(0);
    watch.stop();
    listener.open();
    await admitted(socket);
    // A round trip: the server has handled everything this upgrade caused (a second handling
    // would have happened as it was released, before the first answer).
    await socket.timeout(5_000).emitWithAck('echo');
    expect(connections).toBe(1);
    expect(errors).toEqual([]);
  });

  it('answers health probes at once with 503 while starting', async () => {
    const { url } = await started();
    for (const path of ['/health/ready', '/api/health', '/health']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toMatchObject({ success: false, code: 'SERVICE_UNAVAILABLE' });
    }
  });

  it('refuses connections beyond the hold limit with 503, and forgets requests whose client gave up', async () => {
    const { listener, url } = await started(1);
    const watch = watchArrivals(listener);
    const gaveUp = new AbortController();
    const first = fetch(`${url}/printing/printers`, { signal: gaveUp.signal }).catch((e: Error) => e);
    await watch.reached(1);
    const second = client(url);
    const refused = await new Promise<Error>((resolve) => second.once('connect_error', resolve));
    expect(refused.message).toMatch(/websocket error/);
    // The first gives up: its place is free again for the next one.
    gaveUp.abort();
    expect(await first).toBeInstanceOf(Error);
    await closed(watch.arrivals[0]);
    const third = client(url);
    await watch.reached(3);
    watch.stop();
    becomeReady(listener);
    await admitted(third);
  });

  /** A raw WebSocket upgrade request, as an agent's first bytes. */
  function rawUpgrade(url: string): Promise<TcpSocket> {
    const { port } = new URL(url);
    return new Promise((resolve) => {
      const tcp = connect(Number(port), '127.0.0.1', () => {
        tcp.write(
          'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
        );
        resolve(tcp);
      });
      tcp.on('error', () => {});
    });
  }

  it('survives a client that resets its connection while held', async () => {
    const { listener, url } = await started();
    const watch = watchArrivals(listener);
    const tcp = await rawUpgrade(url);
    await watch.reached(1);
    tcp.resetAndDestroy();
    await closed(watch.arrivals[0]);
    // Still serving: a client held now is let in once open.
    const socket = client(url);
    await watch.reached(2);
    watch.stop();
    becomeReady(listener);
    await admitted(socket);
    expect(listener.server.keepAliveTimeout).toBe(72_000);
  });

  it('answers 503 to a connection held longer than 15 s', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    try {
      const { listener, url } = await started();
      const watch = watchArrivals(listener);
      const waiting = fetch(`${url}/printing/printers`).then(async (r) => ({ status: r.status, body: await r.json() }));
      await watch.reached(1);
      vi.advanceTimersByTime(16_000);
      expect(await waiting).toMatchObject({ status: 503, body: { code: 'SERVICE_UNAVAILABLE' } });
    } finally {
      vi.useRealTimers();
    }
  });

  it('abort ends connections that have not sent a request yet, and refuses what arrives after', async () => {
    const { listener, url } = await started();
    const { port } = new URL(url);
    const accepted = new Promise((resolve) => listener.server.once('connection', resolve));
    const silent = connect(Number(port), '127.0.0.1');
    silent.on('error', () => {});
    const ended = new Promise((resolve) => silent.once('close', resolve));
    await accepted;
    await listener.abort();
    await ended;
    expect(listener.server.listening).toBe(false);
  });

  it('after a notice of handover, closes each connection with its answer', async () => {
    const { listener, url } = await started();
    becomeReady(listener);
    // Before the notice, an answer keeps its connection.
    expect((await fetch(`${url}/before`)).headers.get('connection')).toBe('keep-alive');
    listener.closeEachConnection(30_000);
    const after = await fetch(`${url}/after`);
    expect(after.headers.get('connection')).toBe('close');
    expect(await after.json()).toEqual({ path: '/after' });
  });

  it('abort drops what it holds and frees the port', async () => {
    const { listener, url } = await started();
    const watch = watchArrivals(listener);
    const socket = client(url);
    const failed = new Promise<Error>((resolve) => socket.once('connect_error', resolve));
    await watch.reached(1);
    await listener.abort();
    expect((await failed).message).toMatch(/websocket error/);
    expect(listener.server.listening).toBe(false);
  });
});
