// The baseline: a bare node:http server with Socket.IO attached, with Socket.IO's
// defaults except what a client can see (path, namespace, message limit, ping
// timings, all as the gateway has them), and no application logic.
// BARE_DEFLATE=1 also turns on per-message deflate (threshold 1 KB) as the
// gateway does, to show what that option alone costs.
//   - POST /printing/printers/:id/test → emitWithAck('printer:test') to the one
//     connected relay client (another process) → 200 JSON;
//   - any client may connect (idle-agents floor);
//   - 'printer:status:update' from a publisher is coalesced per branch over
//     100 ms and broadcast to the branch's room as 'printerStatusUpdate'
//     (the same batching rule as the gateway, so both deliver the same content).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { sendJson } from '../lib/http-json.mjs';
import { serveCommands } from '../lib/ipc.mjs';

const port = Number(process.env.PORT ?? 0);
const server = createServer(handle);
const io = new Server(server, {
  path: '/socket.io/',
  serveClient: false,
  maxHttpBufferSize: 1_000_000,
  pingInterval: Number(process.env.PING_INTERVAL_MS ?? 25_000),
  pingTimeout: Number(process.env.PING_TIMEOUT_MS ?? 20_000),
  perMessageDeflate: process.env.BARE_DEFLATE === '1' ? { threshold: 1024 } : false,
});
const nsp = io.of('/printing-ws');
/** @type {import('socket.io').Socket | undefined} */
let relayClient;
let connected = 0;

nsp.on('connection', (socket) => {
  connected++;
  const auth = socket.handshake.auth ?? {};
  if (auth.relay === true) relayClient = socket;
  if (auth.dashboard === true && typeof auth.branchId === 'string') socket.join(`branch:${auth.branchId}`);
  if (auth.publisher === true) {
    socket.on('printer:status:update', (p, ack) => {
      for (const s of p.printerIds) {
        queueStatus({
          printerId: s.id,
          name: s.name ?? s.id,
          status: s.status,
          branchId: auth.branchId,
          companyId: 'bench',
          lastSeen: s.lastSeen ?? new Date().toISOString(),
        });
      }
      if (typeof ack === 'function') ack({ ok: true, data: { printerCount: p.printerIds.length } });
    });
  }
  socket.on('disconnect', () => {
    connected--;
    if (relayClient === socket) relayClient = undefined;
  });
});

/** Same coalescing as the gateway's RoomBroadcaster: newest status per printer per 100 ms window, repeats dropped. */
const pending = new Map();
const lastSent = new Map();
let timer;
function queueStatus(entry) {
  let batch = pending.get(entry.branchId);
  if (!batch) {
    batch = new Map();
    pending.set(entry.branchId, batch);
  }
  batch.set(entry.printerId, entry);
  if (!timer) timer = setTimeout(flush, 100);
}
function flush() {
  timer = undefined;
  for (const [branchId, batch] of pending) {
    const changes = [...batch.values()].filter((e) => {
      if (lastSent.get(e.printerId) === e.status) return false;
      lastSent.set(e.printerId, e.status);
      return true;
    });
    if (changes.length > 0) nsp.to(`branch:${branchId}`).emit('printerStatusUpdate', changes);
  }
  pending.clear();
}

const TEST_ROUTE = /^\/printing\/printers\/([^/]+)\/test$/;

/** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
function handle(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const m = req.method === 'POST' ? TEST_ROUTE.exec(req.url ?? '') : null;
    if (!m) return sendJson(res, 404, { error: 'not found' });
    if (!req.headers.authorization) return sendJson(res, 401, { code: 'AUTH_FAILED' });
    let body = {};
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      return sendJson(res, 400, { code: 'BAD_REQUEST' });
    }
    const client = relayClient;
    if (!client) return sendJson(res, 503, { code: 'PRINTER_OFFLINE' });
    const startedAt = Date.now();
    const correlationId = `printer_test_${startedAt}_${randomUUID().slice(0, 8)}`;
    // The same request shape (and so about the same size) as the gateway's printer:test.
    const request = {
      printerId: m[1],
      printerName: 'bench-rpc',
      correlationId,
      requestTimestamp: new Date(startedAt).toISOString(),
      branchId: 'bench-branch-0000-0000-000000000000',
      branchName: 'Main branch',
      companyName: 'Default company',
      type: 'receipt',
      connection: 'network',
      capabilities: [],
      ...(body.testType ? { testType: body.testType } : {}),
      metadata: { requestSource: 'backend_gateway', expectedResponseEvent: 'printer:test:result', timeout: 15000 },
    };
    try {
      const result = await client.timeout(15_000).emitWithAck('printer:test', request);
      sendJson(res, 200, {
        success: result.success === true,
        outcome: result.success ? 'printed' : 'failed',
        delivered: true,
        message: result.message ?? 'Printer test completed',
        correlationId,
        timestamp: new Date().toISOString(),
        clientsAvailable: 1,
        processingTime: Date.now() - startedAt,
        sourceClient: 'v2_agent',
      });
    } catch {
      sendJson(res, 504, { code: 'TIMEOUT', correlationId });
    }
  });
}

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ msg: 'bare server listening', port: address.port })}\n`);
});

serveCommands({
  info: () => ({ connected, relay: relayClient !== undefined, memory: process.memoryUsage() }),
});
