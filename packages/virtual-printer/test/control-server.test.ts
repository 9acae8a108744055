import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ControlServer, createVirtualPrinter, startControlServer, type VirtualPrinter } from '../src/index.js';
import { connectOutcome, DEADLINE_MS, sendJob } from './printer-client.js';
import { ticketJob } from './ticket-job.js';

let printer: VirtualPrinter;
let control: ControlServer;

beforeEach(async () => {
  printer = await createVirtualPrinter({ port: 0, name: 'kitchen' });
  control = await startControlServer(printer, { host: '127.0.0.1', port: 0 });
});

afterEach(async () => {
  await control.close();
  await printer.close();
});

interface Reply {
  status: number;
  body: unknown;
}

/** One HTTP request with node:http, so any method and raw body can be sent. */
function call(method: string, path: string, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: control.port, method, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const type = res.headers['content-type'] ?? '';
        if (!type.startsWith('application/json')) reject(new Error(`not JSON: ${type}`));
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.setHeader('content-type', 'application/json');
    req.end(body);
  });
}

const NO_FAULTS = {
  offline: false,
  paperOut: false,
  coverOpen: false,
  paperNearEnd: false,
  bytesPerSecond: null,
  dropAfterBytes: null,
};

describe('startControlServer', () => {
  it('GET /status reports the printer', async () => {
    await sendJob(printer.port, ticketJob('ONE'));
    await printer.waitForTickets(1, DEADLINE_MS);
    expect(await call('GET', '/status')).toEqual({
      status: 200,
      body: {
        name: 'kitchen',
        port: printer.port,
        faults: NO_FAULTS,
        ticketCount: 1,
        partialCount: 0,
        bytesReceived: ticketJob('ONE').length,
        connections: 0,
      },
    });
  });

  it('POST /faults changes the faults and returns them', async () => {
    const reply = await call('POST', '/faults', JSON.stringify({ paperOut: true, bytesPerSecond: 1200 }));
    expect(reply).toEqual({ status: 200, body: { ...NO_FAULTS, paperOut: true, bytesPerSecond: 1200 } });
    expect(printer.faults.paperOut).toBe(true);
    expect(((await call('GET', '/status')).body as { faults: unknown }).faults).toEqual(reply.body);

    expect(await call('POST', '/faults', '{"offline":true}')).toMatchObject({ status: 200, body: { offline: true } });
    expect(await connectOutcome(printer.port)).toBe('ECONNREFUSED');
    expect(await call('POST', '/faults', '{}')).toMatchObject({ status: 200, body: { offline: true, paperOut: true } });
  });

  it.each([
    ['an unknown fault', '{"jammed":true}', /unknown fault "jammed"/],
    ['a wrong type', '{"paperOut":"yes"}', /paperOut must be true or false/],
    ['a negative number', '{"dropAfterBytes":-1}', /dropAfterBytes/],
    ['a zero rate', '{"bytesPerSecond":0}', /bytesPerSecond/],
    ['a fraction of a byte', '{"dropAfterBytes":2.5}', /dropAfterBytes/],
    ['an array', '[]', /JSON object/],
    ['null', 'null', /JSON object/],
    ['broken JSON', '{"paperOut":', /not valid JSON/],
    ['an empty body', '', /JSON object/],
  ])('POST /faults with %s is 400 and changes nothing', async (_what, body, message) => {
    const reply = await call('POST', '/faults', body);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ error: { code: 'BAD_REQUEST', message: expect.stringMatching(message) } });
    expect(printer.faults).toEqual(NO_FAULTS);
  });

  it('POST /faults with a body over the limit is 413', async () => {
    const reply = await call('POST', '/faults', JSON.stringify({ pad: 'x'.repeat(100_000) }));
    expect(reply).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
  });

  it('lists tickets, shows one, 404s unknown ones and clears the list', async () => {
    await sendJob(printer.port, ticketJob('TABLE 4', '1x Soup'), ticketJob('TABLE 5'));
    await printer.waitForTickets(2, DEADLINE_MS);
    const list = await call('GET', '/tickets');
    expect(list.status).toBe(200);
    const { tickets } = list.body as { tickets: Record<string, unknown>[] };
    expect(tickets.map((t) => t.seq)).toEqual([1, 2]);
    expect(Object.keys(tickets[0] ?? {}).sort()).toEqual(['byteLength', 'cut', 'partial', 'receivedAt', 'seq', 'text']);
    expect(tickets[0]).toMatchObject({ cut: 'full', partial: false, text: expect.stringMatching(/^TABLE 4\n/) });

    expect(await call('GET', '/tickets/2')).toEqual({ status: 200, body: tickets[1] });
    expect(await call('GET', '/tickets/99')).toEqual({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'ticket 99 not found' } },
    });
    expect((await call('GET', '/tickets/abc')).status).toBe(404);

    expect(await call('DELETE', '/tickets')).toEqual({ status: 200, body: { cleared: true } });
    expect(await call('GET', '/tickets')).toEqual({ status: 200, body: { tickets: [] } });
    expect(((await call('GET', '/status')).body as { ticketCount: number }).ticketCount).toBe(2);
  });

  it.each([
    ['GET', '/'],
    ['GET', '/nope'],
    ['PUT', '/faults'],
    ['GET', '/faults'],
    ['POST', '/status'],
    ['DELETE', '/tickets/1'],
  ])('%s %s is a JSON 404', async (method, path) => {
    const reply = await call(method, path);
    expect(reply).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });

  it('listens on loopback only', async () => {
    const { networkInterfaces } = await import('node:os');
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    if (!external) return;
    const outcome = await new Promise<string>((resolve) => {
      const req = request({ host: external.address, port: control.port, path: '/status' }, () => resolve('answered'));
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      req.end();
    });
    expect(outcome).toBe('ECONNREFUSED');
  });
});
