import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATUS_REQUEST } from '@printermaster/escpos';
import { describe, expect, it } from 'vitest';
import { createVirtualPrinter, type StoredTicket, TICKETS_JOURNAL } from '../src/index.js';
import { DEADLINE_MS, PrinterClient, sendJob, withDeadline } from './printer-client.js';
import { usePrinterFixture } from './printer-fixture.js';
import { ticketJob } from './ticket-job.js';

const { dirs, start } = usePrinterFixture();

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((part) => [...part]));
}

function readJournal(dir: string): unknown[] {
  return readFileSync(join(dir, TICKETS_JOURNAL), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
}

describe('createVirtualPrinter', () => {
  it('splits what it receives into tickets at cuts and keeps their exact bytes and text', async () => {
    const dir = dirs.make();
    const printer = await start({ ticketDir: dir });
    const first = ticketJob('TABLE 7', '1x Lasagne');
    const second = ticketJob('TABLE 9', '2x Tiramisu');
    await sendJob(printer.port, concat(first, second));

    const tickets = await printer.waitForTickets(2, DEADLINE_MS);
    expect(tickets.map((t) => [t.seq, t.cut, t.partial])).toEqual([
      [1, 'full', false],
      [2, 'full', false],
    ]);
    expect(tickets[0]?.text).toBe(`TABLE 7\n${'-'.repeat(48)}\n1x Lasagne`);
    expect(tickets[1]?.text).toContain('2x Tiramisu');
    expect(tickets[0]?.decoded.lines[0]).toMatchObject({ text: 'TABLE 7', bold: true });

    expect(new Uint8Array(readFileSync(join(dir, '000001.bin')))).toEqual(first);
    expect(new Uint8Array(readFileSync(join(dir, '000002.bin')))).toEqual(second);
    expect(readFileSync(join(dir, '000001.txt'), 'utf8')).toBe(tickets[0]?.text);
    expect(readJournal(dir)).toEqual(
      tickets.map((t) => ({
        seq: t.seq,
        receivedAt: t.receivedAt,
        byteLength: t.byteLength,
        cut: 'full',
        partial: false,
        text: t.text,
      })),
    );
    expect(tickets[0]?.byteLength).toBe(first.length);
    expect(new Date(tickets[0]?.receivedAt ?? '').getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(printer.bytesReceived).toBe(first.length + second.length);
    expect(printer.ticketCount).toBe(2);
  });

  it('has written the ticket files by the time it announces a ticket', async () => {
    const dir = dirs.make();
    const printer = await start({ ticketDir: dir });
    const seen = new Promise<{ ticket: StoredTicket; files: string[] }>((resolve) => {
      printer.on('ticket', (ticket) => resolve({ ticket, files: readdirSync(dir).sort() }));
    });
    await sendJob(printer.port, ticketJob('TABLE 1'));
    const { ticket, files } = await withDeadline(seen, 'ticket event');
    expect(files).toEqual(['000001.bin', '000001.txt', TICKETS_JOURNAL]);
    expect(readJournal(dir)).toHaveLength(1);
    expect(ticket.seq).toBe(1);
  });

  it('continues numbering after a restart on the same ticket directory', async () => {
    const dir = dirs.make();
    const before = await start({ ticketDir: dir });
    await sendJob(before.port, ticketJob('ONE'), ticketJob('TWO'));
    await before.waitForTickets(2, DEADLINE_MS);
    await before.close();

    const after = await start({ ticketDir: dir });
    await sendJob(after.port, ticketJob('THREE'));
    const [ticket] = await after.waitForTickets(1, DEADLINE_MS);
    expect(ticket?.seq).toBe(3);
    expect(after.ticketCount).toBe(1);
    expect(readFileSync(join(dir, '000003.txt'), 'utf8')).toMatch(/^THREE\n/);
    expect(readJournal(dir).map((line) => (line as { seq: number }).seq)).toEqual([1, 2, 3]);
  });

  it('prints content left without a cut as a partial ticket when the connection ends', async () => {
    const dir = dirs.make();
    const printer = await start({ ticketDir: dir });
    const job = ticketJob('NO CUT', 'half a job');
    const uncut = job.subarray(0, job.length - 4); // the feed and the GS V cut
    await sendJob(printer.port, uncut);
    const [ticket] = await printer.waitForTickets(1, DEADLINE_MS);
    expect(ticket).toMatchObject({ seq: 1, partial: true, cut: null, byteLength: uncut.length });
    expect(ticket?.text).toContain('half a job');
    expect(new Uint8Array(readFileSync(join(dir, '000001.bin')))).toEqual(uncut);
    expect(printer.partialCount).toBe(1);
  });

  it('prints nothing for a connection that sent only commands and status requests', async () => {
    const printer = await start();
    const client = await PrinterClient.open(printer.port);
    await client.write(concat(Uint8Array.of(0x1b, 0x40), STATUS_REQUEST[1]));
    await client.read(1);
    await client.end();
    await sendJob(printer.port, ticketJob('AFTER'));
    const tickets = await printer.waitForTickets(1, DEADLINE_MS);
    expect(tickets.map((t) => t.text.split('\n')[0])).toEqual(['AFTER']);
    expect(printer.ticketCount).toBe(1);
  });

  it('decodes several connections at once, each on its own', async () => {
    const printer = await start();
    const a = ticketJob('FROM A', 'a'.repeat(20));
    const b = ticketJob('FROM B', 'b'.repeat(20));
    const clientA = await PrinterClient.open(printer.port);
    const clientB = await PrinterClient.open(printer.port);
    // Interleave halves: a shared decoder would mix the two tickets up.
    await clientA.write(a.subarray(0, 20));
    await clientB.write(b.subarray(0, 30));
    await clientA.write(a.subarray(20));
    await clientB.write(b.subarray(30));
    const tickets = await printer.waitForTickets(2, DEADLINE_MS);
    expect(tickets.map((t) => t.text.split('\n')[0]).sort()).toEqual(['FROM A', 'FROM B']);
    expect(tickets.every((t) => !t.partial)).toBe(true);
    expect(printer.connections).toBe(2);
    await Promise.all([clientA.end(), clientB.end()]);
    expect(printer.connections).toBe(0);
  });

  it('in sink mode counts and announces tickets but keeps none', async () => {
    const dir = dirs.make();
    const printer = await start({ ticketDir: dir, sink: true });
    const announced: number[] = [];
    printer.on('ticket', (ticket) => announced.push(ticket.seq));
    await sendJob(printer.port, ticketJob('A'), ticketJob('B'), ticketJob('C'));
    expect(await printer.waitForTickets(3, DEADLINE_MS)).toEqual([]);
    expect(announced).toEqual([1, 2, 3]);
    expect(printer.ticketCount).toBe(3);
    expect(printer.tickets).toEqual([]);
    expect(printer.ticketDir).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('clear() forgets tickets in memory but keeps numbering; waitForTickets counts from the clear', async () => {
    const printer = await start();
    await sendJob(printer.port, ticketJob('A'));
    await printer.waitForTickets(1, DEADLINE_MS);
    printer.clear();
    expect(printer.tickets).toEqual([]);
    await expect(printer.waitForTickets(1, 50)).rejects.toThrow(/1 tickets, 0 printed/);
    await sendJob(printer.port, ticketJob('B'));
    const [ticket] = await printer.waitForTickets(1, DEADLINE_MS);
    expect(ticket?.seq).toBe(2);
    expect(printer.ticketCount).toBe(2);
  });

  it('keeps tickets in memory only when no directory is given, and close() is idempotent', async () => {
    const printer = await start({ name: 'bar' });
    expect(printer.ticketDir).toBeUndefined();
    expect(printer.name).toBe('bar');
    await sendJob(printer.port, ticketJob('MEMORY'));
    await printer.waitForTickets(1, DEADLINE_MS);
    const port = printer.port;
    await printer.close();
    await printer.close();
    await expect(printer.setFaults({ paperOut: true })).rejects.toThrow(/closed/);
    expect(port).toBeGreaterThan(0);
  });

  it('rejects invalid initial faults', async () => {
    await expect(createVirtualPrinter({ port: 0, faults: { bytesPerSecond: -1 } })).rejects.toThrow(/bytesPerSecond/);
  });
});
