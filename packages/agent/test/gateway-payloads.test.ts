import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeTicket } from '@printermaster/escpos';
import {
  type Ack,
  type AgentEventPayload,
  type AgentToGatewayEvents,
  type GatewayToAgentEvents,
  type JobReportReply,
  type JobState,
  PRINTING_NAMESPACE,
  type PrinterTestRequest,
  type PrintJobDelivery,
} from '@printermaster/protocol';
import { createVirtualPrinter, type VirtualPrinter } from '@printermaster/virtual-printer';
import { Server, type Socket } from 'socket.io';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Agent } from '../src/agent.js';
import type { AgentLogger } from '../src/agent-logger.js';
import { TcpPrinter } from '../src/tcp-printer.js';

type GatewaySocket = Socket<AgentToGatewayEvents, GatewayToAgentEvents>;

/** A stand-in gateway: the licence endpoint and the agent namespace, answering the agent's acknowledgements. */
class TestGateway {
  private constructor(
    readonly http: HttpServer,
    readonly io: Server<AgentToGatewayEvents, GatewayToAgentEvents>,
  ) {}

  static async start(): Promise<TestGateway> {
    const http = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && req.url === '/api/v1/printer-licenses/validate') {
        res.end(JSON.stringify({ success: true, data: { branchId: 'branch-1', branchName: 'Main street' } }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    const io = new Server<AgentToGatewayEvents, GatewayToAgentEvents>(http);
    io.of(PRINTING_NAMESPACE).on('connection', (socket) => {
      const at = () => new Date().toISOString();
      socket.on('printer:discovered', (_p, ack) =>
        ack?.({ ok: true, data: { printerId: 'p-kitchen', status: 'saved', timestamp: at() } }),
      );
      const report = (p: { jobId: string }, ack: Ack<JobReportReply> | undefined, state: JobState) =>
        ack?.({ ok: true, data: { jobId: p.jobId, state } });
      socket.on('print:job:started', (p, ack) => report(p, ack, 'printing'));
      socket.on('print:job:completed', (p, ack) => report(p, ack, 'completed'));
      socket.on('print:job:failed', (p, ack) => report(p, ack, 'failed'));
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    return new TestGateway(http, io);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.io.close(() => resolve()));
  }
}

/** The next `event` the agent sends, or a rejection after `timeoutMs`. */
function next<E extends keyof AgentToGatewayEvents>(
  socket: GatewaySocket,
  event: E,
  timeoutMs = 10_000,
): Promise<AgentEventPayload<E>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    const listener = (payload: AgentEventPayload<E>) => {
      clearTimeout(timer);
      resolve(payload);
    };
    (socket as unknown as { once(e: string, l: (p: AgentEventPayload<E>) => void): void }).once(event, listener);
  });
}

/** A logger that keeps what it is told, to count the lines about one thing. */
function recordingLogger(): AgentLogger & { lines: { level: string; msg: string; fields: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) =>
    void lines.push({ level, msg, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const ticket = (text: string) =>
  Buffer.from(encodeTicket({ blocks: [{ type: 'text', text }, { type: 'cut' }] })).toString('base64');

function delivery(id: string, text: string): PrintJobDelivery {
  const now = Date.now();
  return {
    id,
    printerId: 'p-kitchen',
    printerName: 'Kitchen',
    content: ticket(text),
    encoding: 'base64',
    type: 'kitchen',
    priority: 5,
    copies: 1,
    usefulUntil: new Date(now + 60_000).toISOString(),
    timestamp: new Date(now).toISOString(),
    attempt: 1,
    printer: { connection: 'network' },
  };
}

function testRequest(correlationId: string): PrinterTestRequest {
  return {
    printerId: 'p-kitchen',
    printerName: 'Kitchen',
    correlationId,
    requestTimestamp: new Date().toISOString(),
    branchId: 'branch-1',
    branchName: 'Main street',
    companyName: 'Acme',
    type: 'thermal',
    connection: 'network',
    capabilities: [],
    metadata: { requestSource: 'backend_gateway', expectedResponseEvent: 'printer:test:result', timeout: 15_000 },
  };
}

describe('the agent checks every payload the gateway sends', () => {
  let gateway: TestGateway;
  let printer: VirtualPrinter;
  let agent: Agent;
  let logger: ReturnType<typeof recordingLogger>;
  let socket: GatewaySocket;
  let journalDir: string;

  beforeEach(async () => {
    gateway = await TestGateway.start();
    printer = await createVirtualPrinter({ port: 0 });
    journalDir = mkdtempSync(join(tmpdir(), 'pm-agent-payloads-'));
    logger = recordingLogger();
    agent = new Agent({
      serverUrl: gateway.url,
      licenseKey: '6f1c3c1e-8d7a-4b7e-9a55-3f1b2c4d5e6f',
      deviceId: 'device-1',
      journalDir,
      printers: [{ name: 'Kitchen', driver: new TcpPrinter({ host: '127.0.0.1', port: printer.port }) }],
      appVersion: 'test',
      logger,
      pingIntervalMs: 60_000,
      healthReportIntervalMs: 600_000,
      statusPollIntervalMs: 600_000,
      reconnectBaseMs: 100,
      reconnectMaxMs: 500,
      retryBaseMs: 100,
      retryMaxMs: 500,
    });
    const connected = once(gateway.io.of(PRINTING_NAMESPACE), 'connection') as Promise<[GatewaySocket]>;
    void agent.start();
    [socket] = await connected;
    // Ready once its printer is announced (and so known by the gateway's id).
    await next(socket, 'printer:discovered');
  });

  afterEach(async () => {
    await agent.stop();
    await gateway.close();
    await printer.close();
    rmSync(journalDir, { recursive: true, force: true });
  });

  it('refuses a malformed print:job through its acknowledgement, logs it once and prints nothing', async () => {
    const bad = { ...delivery('job-bad', 'MUST NOT PRINT'), content: 'not base64!' };
    const answer = await socket.timeout(5_000).emitWithAck('print:job', bad);
    expect(answer).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', details: { path: '/content' } } });
    const { id: _, ...withoutId } = delivery('job-anonymous', 'MUST NOT PRINT EITHER');
    const anonymous = await socket.timeout(5_000).emitWithAck('print:job', withoutId as PrintJobDelivery);
    expect(anonymous).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', details: { path: '/id' } } });

    // A valid job sent after them is the only ticket.
    const completed = next(socket, 'print:job:completed');
    expect(await socket.timeout(5_000).emitWithAck('print:job', delivery('job-good', 'GOOD TICKET'))).toEqual({
      ok: true,
      data: { jobId: 'job-good', state: 'accepted' },
    });
    expect(await completed).toMatchObject({ jobId: 'job-good', success: true });
    const tickets = await printer.waitForTickets(1, 5_000);
    expect(tickets.map((t) => t.text.includes('GOOD TICKET'))).toEqual([true]);
    expect(printer.ticketCount).toBe(1);
    expect(logger.lines.filter((l) => l.msg === 'invalid print job refused').map((l) => l.fields.jobId)).toEqual([
      'job-bad',
      undefined,
    ]);
  });

  it('answers a malformed printer:test with a failed result naming the problem, and prints nothing', async () => {
    const { metadata: _, ...withoutMetadata } = testRequest('printer_test_1696700000000_1_aaaaaaa');
    const result = next(socket, 'printer:test:result');
    const acks: unknown[] = [];
    socket.on('printer:test:ack', (p) => acks.push(p));
    socket.emit('printer:test', withoutMetadata as PrinterTestRequest);
    expect(await result).toMatchObject({
      printerId: 'p-kitchen',
      correlationId: 'printer_test_1696700000000_1_aaaaaaa',
      success: false,
      error: expect.stringMatching(/invalid at \/metadata/),
    });
    // One that names no printer cannot be answered: it is logged and ignored.
    socket.emit('printer:test', 'print something' as unknown as PrinterTestRequest);

    // A valid test after them prints the only page.
    const printed = next(socket, 'printer:test:result');
    socket.emit('printer:test', testRequest('printer_test_1696700000000_2_bbbbbbb'));
    expect(await printed).toMatchObject({ correlationId: 'printer_test_1696700000000_2_bbbbbbb', success: true });
    expect(printer.ticketCount).toBe(1);
    expect(acks).toMatchObject([{ correlationId: 'printer_test_1696700000000_2_bbbbbbb' }]);
    const warned = logger.lines.filter((l) => l.fields.event === 'printer:test').map((l) => l.msg);
    expect(warned).toEqual([
      'invalid printer test answered as failed',
      'invalid printer test ignored: it names no printer',
    ]);
  });

  it('ignores a malformed status request and answers a valid one', async () => {
    socket.emit('printer:status:request', { action: 'status_update' } as never);
    socket.emit('error:event', { event: 'x' } as never);
    const update = next(socket, 'printer:status:update');
    socket.emit('printer:status:request', {
      action: 'status_update',
      timestamp: new Date().toISOString(),
      branchId: 'branch-1',
    });
    expect(await update).toMatchObject({ branchId: 'branch-1', printerIds: [{ id: 'p-kitchen', status: 'online' }] });
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      'invalid status request ignored',
      'the gateway sent a malformed error event',
    ]);
  });
});

describe('the agent reports printer statuses', () => {
  it('sends a change with its reason within a poll, and an unchanged status again after a minute', async () => {
    const gateway = await TestGateway.start();
    const printer = await createVirtualPrinter({ port: 0 });
    const journalDir = mkdtempSync(join(tmpdir(), 'pm-agent-status-'));
    let clock = Date.now();
    const agent = new Agent({
      serverUrl: gateway.url,
      licenseKey: '6f1c3c1e-8d7a-4b7e-9a55-3f1b2c4d5e6f',
      deviceId: 'device-2',
      journalDir,
      printers: [{ name: 'Kitchen', driver: new TcpPrinter({ host: '127.0.0.1', port: printer.port }) }],
      appVersion: 'test',
      logger: recordingLogger(),
      now: () => clock,
      pingIntervalMs: 60_000,
      healthReportIntervalMs: 600_000,
      statusPollIntervalMs: 50,
      reconnectBaseMs: 100,
      reconnectMaxMs: 500,
      retryBaseMs: 100,
      retryMaxMs: 500,
    });
    try {
      const connected = once(gateway.io.of(PRINTING_NAMESPACE), 'connection') as Promise<[GatewaySocket]>;
      void agent.start();
      const [socket] = await connected;
      await next(socket, 'printer:discovered');
      const updates: { status: string; reason?: string }[] = [];
      socket.on('printer:status:update', (p) => {
        for (const e of p.printerIds) updates.push({ status: e.status, ...(e.reason ? { reason: e.reason } : {}) });
      });
      await printer.setFaults({ paperOut: true });
      await until(() => updates.some((u) => u.reason === 'paper_out'));
      expect(updates.at(-1)).toEqual({ status: 'error', reason: 'paper_out' });
      const sent = updates.length;
      // Nothing changes; a minute later (by the agent's clock) the same status goes again.
      clock += 61_000;
      await until(() => updates.length > sent);
      expect(updates.at(-1)).toEqual({ status: 'error', reason: 'paper_out' });
    } finally {
      await agent.stop();
      await gateway.close();
      await printer.close();
      rmSync(journalDir, { recursive: true, force: true });
    }
  });
});

/** Resolves once `check` holds, polling between turns of the event loop (10 s at most). */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached within 10 s');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
