import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATUS_REQUEST } from '@printermaster/escpos';
import { describe, expect, it } from 'vitest';
import type { StoredTicket } from '../src/index.js';
import { connectOutcome, DEADLINE_MS, PrinterClient, sendJob, withDeadline } from './printer-client.js';
import { usePrinterFixture } from './printer-fixture.js';
import { ticketJob, ticketJobOfSize } from './ticket-job.js';

const { dirs, start } = usePrinterFixture();

const titles = (tickets: StoredTicket[]) => tickets.map((t) => t.text.split('\n')[0]);

describe('paper out and cover open', () => {
  it('holds print data while paper is out and prints it in order once paper is back', async () => {
    const dir = dirs.make();
    const printer = await start({ ticketDir: dir });
    await printer.setFaults({ paperOut: true });
    await sendJob(printer.port, ticketJob('FIRST'), ticketJob('SECOND'));
    await sendJob(printer.port, ticketJob('THIRD', 'no cut').subarray(0, 40));
    // Data was read (the connections closed normally) but nothing was printed.
    expect(printer.bytesReceived).toBeGreaterThan(0);
    expect(printer.ticketCount).toBe(0);

    const client = await PrinterClient.open(printer.port);
    await client.write(STATUS_REQUEST[2]);
    expect(await client.read(1)).toEqual([0x32]);
    await client.end();

    const faults = await printer.setFaults({ paperOut: false });
    expect(faults.paperOut).toBe(false);
    // Printed by the time setFaults resolves, in arrival order.
    expect(titles(printer.tickets)).toEqual(['FIRST', 'SECOND', 'THIRD']);
    expect(printer.tickets.map((t) => [t.seq, t.partial])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(readFileSync(join(dir, '000003.txt'), 'utf8')).toMatch(/^THIRD/);

    await sendJob(printer.port, ticketJob('FOURTH'));
    const tickets = await printer.waitForTickets(4, DEADLINE_MS);
    expect(titles(tickets)).toEqual(['FIRST', 'SECOND', 'THIRD', 'FOURTH']);
  });

  it('keeps holding until both paper-out and cover-open are cleared', async () => {
    const printer = await start({ faults: { paperOut: true, coverOpen: true } });
    await sendJob(printer.port, ticketJob('HELD'));
    await printer.setFaults({ paperOut: false });
    expect(printer.ticketCount).toBe(0);
    await printer.setFaults({ coverOpen: false });
    expect(titles(printer.tickets)).toEqual(['HELD']);
  });
});

describe('offline', () => {
  it('refuses connections while offline and accepts them again on the same port when back online', async () => {
    const printer = await start();
    const port = printer.port;
    const open = await PrinterClient.open(port);
    await open.write(ticketJob('CUT OFF').subarray(0, 30));
    // The answer to a status request proves the bytes before it were read.
    await open.write(STATUS_REQUEST[1]);
    await open.read(1);

    await printer.setFaults({ offline: true });
    expect(await connectOutcome(port)).toBe('ECONNREFUSED');
    await withDeadline(open.closed, 'open connection cut');
    expect(printer.connections).toBe(0);
    // What the cut connection had sent was printed as far as it went.
    expect(printer.tickets.map((t) => t.partial)).toEqual([true]);

    await printer.setFaults({ offline: false });
    expect(printer.port).toBe(port);
    await sendJob(port, ticketJob('BACK'));
    const tickets = await printer.waitForTickets(2, DEADLINE_MS);
    expect(titles(tickets)).toEqual(['CUT OFF', 'BACK']);
  });

  it('starts offline on a port of its own when asked for port 0', async () => {
    const printer = await start({ faults: { offline: true } });
    expect(printer.port).toBeGreaterThan(0);
    expect(await connectOutcome(printer.port)).toBe('ECONNREFUSED');
    await printer.setFaults({ offline: false });
    expect(await connectOutcome(printer.port)).toBe('connected');
  });
});

describe('slow printer (bytesPerSecond)', () => {
  it('reads a job no faster than the set rate', async () => {
    const printer = await start({ faults: { bytesPerSecond: 500 } });
    const job = ticketJobOfSize('SLOW', 1_000);
    const expectedMs = (job.length / 500) * 1000;
    const started = performance.now();
    await sendJob(printer.port, job);
    await printer.waitForTickets(1, expectedMs + DEADLINE_MS);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(0.7 * expectedMs);
    expect(printer.bytesReceived).toBe(job.length);
  });

  it('speeds up at once when the throttle is lifted mid-job', async () => {
    const printer = await start({ faults: { bytesPerSecond: 100 } });
    const job = ticketJobOfSize('LIFTED', 2_000); // 20 s at 100 B/s
    const client = await PrinterClient.open(printer.port);
    await client.write(job);
    client.socket.end();
    await printer.setFaults({ bytesPerSecond: null });
    const [ticket] = await printer.waitForTickets(1, DEADLINE_MS);
    expect(ticket?.byteLength).toBe(job.length);
    await withDeadline(client.closed, 'connection close');
  });
});

describe('dropped connection (dropAfterBytes)', () => {
  it('cuts the connection right after byte N, prints what came before as partial, and fires once', async () => {
    const dir = dirs.make();
    const printer = await start({ ticketDir: dir });
    const job = ticketJob('DROPPED', 'a line that is cut off half way through', 'and one that never arrives');
    const limit = Math.floor(job.length / 2);
    await printer.setFaults({ dropAfterBytes: limit });

    const client = await PrinterClient.open(printer.port);
    await client.write(job).catch(() => {});
    await withDeadline(client.closed, 'dropped connection');
    const [partial] = await printer.waitForTickets(1, DEADLINE_MS);
    expect(partial).toMatchObject({ seq: 1, partial: true, cut: null, byteLength: limit });
    expect(partial?.text).toMatch(/^DROPPED/);
    expect(partial?.text).not.toContain('never arrives');
    expect(new Uint8Array(readFileSync(join(dir, '000001.bin')))).toEqual(job.subarray(0, limit));
    expect(printer.bytesReceived).toBe(limit);
    expect(printer.faults.dropAfterBytes).toBeNull();

    await sendJob(printer.port, job);
    const tickets = await printer.waitForTickets(2, DEADLINE_MS);
    expect(tickets[1]).toMatchObject({ seq: 2, partial: false, byteLength: job.length });
  });

  it('counts bytes from when the fault is set on a connection that is already open', async () => {
    const printer = await start();
    const client = await PrinterClient.open(printer.port);
    const first = ticketJob('BEFORE');
    await client.write(first);
    await printer.waitForTickets(1, DEADLINE_MS);
    await printer.setFaults({ dropAfterBytes: 10 });
    await client.write(ticketJob('AFTER')).catch(() => {});
    await withDeadline(client.closed, 'dropped connection');
    expect(printer.bytesReceived).toBe(first.length + 10);
    // Ten bytes of ESC/POS set-up commands print nothing: no partial ticket.
    expect(printer.ticketCount).toBe(1);
    expect(printer.faults.dropAfterBytes).toBeNull();
  });

  it('keeps the tickets completed before the drop in the same connection', async () => {
    const printer = await start();
    const first = ticketJob('COMPLETE');
    await printer.setFaults({ dropAfterBytes: first.length + 5 });
    const client = await PrinterClient.open(printer.port);
    await client.write(Uint8Array.from([...first, ...ticketJob('NEXT')])).catch(() => {});
    await withDeadline(client.closed, 'dropped connection');
    expect(titles(printer.tickets)).toEqual(['COMPLETE']);
    expect(printer.bytesReceived).toBe(first.length + 5);
  });
});

describe('setFaults', () => {
  it('rejects values of the wrong type or range and leaves the faults unchanged', async () => {
    const printer = await start();
    await expect(printer.setFaults({ bytesPerSecond: 0 })).rejects.toThrow(/bytesPerSecond/);
    await expect(printer.setFaults({ dropAfterBytes: 1.5 })).rejects.toThrow(/dropAfterBytes/);
    await expect(printer.setFaults({ paperOut: 'yes' } as never)).rejects.toThrow(/paperOut/);
    await expect(printer.setFaults({ jammed: true } as never)).rejects.toThrow(/unknown fault "jammed"/);
    expect(printer.faults).toEqual({
      offline: false,
      paperOut: false,
      coverOpen: false,
      paperNearEnd: false,
      bytesPerSecond: null,
      dropAfterBytes: null,
    });
  });
});
