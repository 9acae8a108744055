import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { encodeTicket } from '@printermaster/escpos';
import { createVirtualPrinter, type VirtualPrinter } from '@printermaster/virtual-printer';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpPrinter } from '../src/tcp-printer.js';

/** A TCP relay in front of the virtual printer that counts the connections made through it and can cut them. */
class CountingRelay {
  accepted = 0;
  readonly sockets = new Set<Socket>();
  private constructor(readonly server: Server) {}

  static async start(target: number): Promise<CountingRelay> {
    const server = createServer();
    const relay = new CountingRelay(server);
    server.on('connection', (client) => {
      relay.accepted += 1;
      const upstream = connect({ host: '127.0.0.1', port: target });
      for (const s of [client, upstream]) {
        relay.sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          relay.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return relay;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** Like a printer dropping idle connections. */
  cutAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setUp(lingerMs?: number): Promise<{ vp: VirtualPrinter; relay: CountingRelay; printer: TcpPrinter }> {
  const vp = await createVirtualPrinter({ port: 0 });
  closers.push(() => vp.close());
  const relay = await CountingRelay.start(vp.port);
  closers.push(() => relay.close());
  const printer = new TcpPrinter({ host: '127.0.0.1', port: relay.port, lingerMs });
  closers.push(async () => printer.release());
  return { vp, relay, printer };
}

const ticket = (n: number) => encodeTicket({ blocks: [{ type: 'text', text: `ORDER ${n}` }, { type: 'cut' }] });

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('TcpPrinter', () => {
  it('prints jobs back to back over one connection, asking the status before and after each', async () => {
    const { vp, relay, printer } = await setUp();
    const journaled: number[] = [];
    for (const n of [1, 2, 3]) {
      const result = await printer.print(ticket(n), async () => {
        journaled.push(n);
      });
      expect(result).toEqual({ outcome: 'completed' });
    }
    expect(journaled).toEqual([1, 2, 3]);
    const tickets = await vp.waitForTickets(3, 5_000);
    expect(tickets.map((t) => t.text)).toEqual(['ORDER 1', 'ORDER 2', 'ORDER 3']);
    expect(relay.accepted).toBe(1);
    expect(vp.connections).toBe(1);
    printer.release();
    await until(() => vp.connections === 0, 'the connection to close after release');
  });

  it('lets a kept connection go after lingerMs', async () => {
    const { vp, printer } = await setUp(100);
    expect((await printer.print(ticket(1), async () => {})).outcome).toBe('completed');
    expect(vp.connections).toBe(1);
    await until(() => vp.connections === 0, 'the linger to end');
  });

  it('opens a new connection when the printer closed the kept one, and prints the job once', async () => {
    const { vp, relay, printer } = await setUp();
    expect((await printer.print(ticket(1), async () => {})).outcome).toBe('completed');
    relay.cutAll();
    await until(() => vp.connections === 0, 'the cut to reach the printer');
    expect((await printer.print(ticket(2), async () => {})).outcome).toBe('completed');
    expect(relay.accepted).toBe(2);
    expect((await vp.waitForTickets(2, 5_000)).map((t) => t.text)).toEqual(['ORDER 1', 'ORDER 2']);
  });

  it('answers a status poll with what the print saw while it keeps a connection, without a second one', async () => {
    const { relay, printer } = await setUp();
    expect((await printer.print(ticket(1), async () => {})).outcome).toBe('completed');
    expect(await printer.checkStatus()).toEqual({ ready: true, status: 'online' });
    expect(relay.accepted).toBe(1);
  });

  it('lets other senders in after 20 jobs on one connection', async () => {
    const { vp, relay, printer } = await setUp();
    for (let n = 1; n <= 25; n++) expect((await printer.print(ticket(n), async () => {})).outcome).toBe('completed');
    await vp.waitForTickets(25, 5_000);
    expect(relay.accepted).toBe(2);
  });

  it('does not hold the printer after a status poll', async () => {
    const { vp, printer } = await setUp();
    expect(await printer.checkStatus()).toEqual({ ready: true, status: 'online' });
    await until(() => vp.connections === 0, 'the poll connection to close');
  });

  it('with lingerMs 0 uses a connection per job', async () => {
    const { vp, relay, printer } = await setUp(0);
    for (const n of [1, 2]) expect((await printer.print(ticket(n), async () => {})).outcome).toBe('completed');
    await vp.waitForTickets(2, 5_000);
    expect(relay.accepted).toBe(2);
  });

  it('does not start a job on a printer out of paper, on a kept connection too', async () => {
    const { vp, relay, printer } = await setUp();
    expect((await printer.print(ticket(1), async () => {})).outcome).toBe('completed');
    await vp.setFaults({ paperOut: true });
    let journaled = false;
    const result = await printer.print(ticket(2), async () => {
      journaled = true;
    });
    expect(result).toMatchObject({ outcome: 'not-started', status: 'error', reason: 'paper out', code: 'paper_out' });
    expect(journaled).toBe(false);
    expect(relay.accepted).toBe(1);
    expect((await printer.checkStatus()).reason).toBe('paper out');
  });

  it('names each fault with the code the gateway shows, and prints on with paper near its end', async () => {
    const { vp, printer } = await setUp();
    await vp.setFaults({ coverOpen: true });
    expect(await printer.checkStatus()).toMatchObject({ ready: false, status: 'error', code: 'cover_open' });
    await vp.setFaults({ coverOpen: false, paperNearEnd: true });
    expect(await printer.checkStatus()).toEqual({
      ready: true,
      status: 'online',
      reason: 'paper near end',
      code: 'paper_near_end',
    });
    await vp.setFaults({ offline: true });
    // Through the relay a connection opens and nothing answers; straight to the printer none opens.
    expect(await printer.checkStatus()).toMatchObject({ ready: false, status: 'error', code: 'not_answering' });
    const direct = new TcpPrinter({ host: '127.0.0.1', port: vp.port, connectTimeoutMs: 2_000 });
    expect(await direct.checkStatus()).toMatchObject({ ready: false, status: 'offline', code: 'unreachable' });
    await vp.setFaults({ offline: false });
    // A job still prints, and its result carries what the printer said before it.
    expect(await printer.print(ticket(1), async () => {})).toEqual({ outcome: 'completed', code: 'paper_near_end' });
  });

  describe('against a printer that sends bytes nobody asked for', () => {
    /**
     * A raw TCP printer that answers every DLE EOT n with "all well" (0x12), except the requests
     * listed in `unanswered` (counted from 1 over all connections); after the answers listed in
     * `strayAfter` it sends one byte that is no status answer, `delayMs` later.
     */
    async function oddPrinter(unanswered: number[], strayAfter: number[], delayMs: number) {
      const state = { requests: 0, connections: 0 };
      const server = createServer((socket) => {
        state.connections += 1;
        socket.on('error', () => {});
        let last = -1;
        socket.on('data', (chunk: Buffer) => {
          for (const b of chunk) {
            if (last === 0x10 && b === 0x04) {
              state.requests += 1;
              const n = state.requests;
              if (!unanswered.includes(n)) socket.write(Buffer.from([0x12]));
              if (strayAfter.includes(n)) setTimeout(() => socket.write(Buffer.from([0x00])), delayMs);
            }
            last = b;
          }
        });
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      const port = (server.address() as { port: number }).port;
      const printer = new TcpPrinter({ host: '127.0.0.1', port, confirmTimeoutMs: 500, statusTimeoutMs: 500 });
      closers.push(async () => printer.release());
      return { printer, state };
    }
    // Job 1 is requests 1–4 (three before, one after), job 2 is 5–8: request 8 is job 2's confirmation.

    it('never takes a late stray byte for the next job’s confirmation', async () => {
      const { printer } = await oddPrinter([8], [4], 30);
      expect((await printer.print(ticket(1), async () => {})).outcome).toBe('completed');
      const second = await printer.print(ticket(2), async () => {});
      expect(second.outcome).toBe('unconfirmed');
    });

    it('does not reuse a connection that received a stray byte, and asks again on a new one', async () => {
      const { printer, state } = await oddPrinter([8], [4], 0);
      expect((await printer.print(ticket(1), async () => {})).outcome).toBe('completed');
      await new Promise((r) => setTimeout(r, 50));
      const second = await printer.print(ticket(2), async () => {});
      expect(second.outcome).toBe('unconfirmed');
      expect(state.connections).toBe(2);
    });

    it('keeps the connection after a job with a QR code (GS ( k answers nothing), not after GS ( H', async () => {
      const { printer, state } = await oddPrinter([], [], 0);
      const qr = Buffer.concat([Buffer.from([0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30]), ticket(1)]);
      expect((await printer.print(qr, async () => {})).outcome).toBe('completed');
      expect((await printer.print(ticket(2), async () => {})).outcome).toBe('completed');
      expect(state.connections).toBe(1);
      const transmitId = Buffer.concat([Buffer.from([0x1d, 0x28, 0x48, 0x06, 0x00, 0x30, 0x30]), ticket(3)]);
      expect((await printer.print(transmitId, async () => {})).outcome).toBe('completed');
      expect((await printer.print(ticket(4), async () => {})).outcome).toBe('completed');
      expect(state.connections).toBe(2);
    });

    it('does not keep the connection after a job with a command the printer answers', async () => {
      const { printer, state } = await oddPrinter([], [], 0);
      const withStatusBack = Buffer.concat([Buffer.from([0x1d, 0x61, 0xff]), ticket(1)]);
      expect((await printer.print(withStatusBack, async () => {})).outcome).toBe('completed');
      expect((await printer.print(ticket(2), async () => {})).outcome).toBe('completed');
      expect(state.connections).toBe(2);
    });
  });
});
