// The far end of the request/reply benchmarks: one Socket.IO client in its own
// process that answers printer tests at once.
//   relay mode: the bare server's client; answers emitWithAck through the ack.
//   gateway mode: a v2 agent (same handshake as the real agent); registers one
//   printer, then answers each `printer:test` with `printer:test:result`.
import { io } from 'socket.io-client';
import { serveCommands } from '../lib/ipc.mjs';

/** @type {import('socket.io-client').Socket | undefined} */
let socket;
let answered = 0;

function waitConnect(s) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('connect timeout')), 30_000);
    s.once('connect', () => {
      clearTimeout(t);
      resolve();
    });
    s.once('connect_error', (err) => {
      if (!s.active) {
        clearTimeout(t);
        reject(err);
      }
    });
  });
}

serveCommands({
  async start({ url, mode, licenseKey, branchId, printerName = 'bench-rpc' }) {
    if (mode === 'relay') {
      socket = io(`${url}/printing-ws`, { transports: ['websocket'], forceNew: true, auth: { relay: true } });
      socket.on('printer:test', (req, ack) => {
        answered++;
        ack({
          printerId: req.printerId,
          correlationId: req.correlationId,
          success: true,
          message: 'test page printed',
          timestamp: new Date().toISOString(),
          processingTime: 0,
        });
      });
      await waitConnect(socket);
      return { printerId: 'relay-printer' };
    }
    socket = io(`${url}/printing-ws`, {
      transports: ['websocket'],
      forceNew: true,
      auth: {
        userRole: 'desktop_app',
        licenseKey,
        branchId,
        deviceId: `bench-rpc-responder-${process.pid}`,
        appVersion: 'bench',
        protocolVersion: 2,
        capabilities: ['print-jobs', 'printer-test'],
      },
    });
    const s = socket;
    s.on('printer:test', (req) => {
      answered++;
      s.emit('printer:test:result', {
        printerId: req.printerId,
        correlationId: req.correlationId,
        success: true,
        message: 'test page printed',
        timestamp: new Date().toISOString(),
        processingTime: 0,
      });
    });
    await waitConnect(s);
    const ack = await s
      .timeout(15_000)
      .emitWithAck('printer:discovered', { name: printerName, status: 'online', connection: 'network' });
    if (!ack?.ok) throw new Error(`printer:discovered refused: ${JSON.stringify(ack)}`);
    const printerId = ack.data.printerId;
    await s.timeout(15_000).emitWithAck('printer:status:update', { printerIds: [{ id: printerId, status: 'online' }] });
    return { printerId };
  },
  stats: () => ({ answered }),
  stop() {
    socket?.close();
    socket = undefined;
  },
});
