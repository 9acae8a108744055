// Fan-out source: one simulated agent per branch reporting printer status
// changes at a fixed total rate. Each change carries `lastSeen` = the time it
// was sent, which the gateway (and the bare baseline) pass through to
// dashboards, so receivers can compute delivery latency.
import { io } from 'socket.io-client';
import { serveCommands } from '../lib/ipc.mjs';

const CYCLE = ['offline', 'error', 'online'];
/** @type {{socket: import('socket.io-client').Socket, branchId: string, printers: {id: string, n: number}[]}[]} */
let branches = [];

function connect(socket) {
  return new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', (err) => {
      if (!socket.active) reject(err);
    });
  });
}

serveCommands({
  /** @param {{url: string, target: 'gateway'|'bare', branches: {licenseKey?: string, branchId: string}[], printersPerBranch: number}} o */
  async start(o) {
    branches = [];
    for (const [b, br] of o.branches.entries()) {
      const auth =
        o.target === 'gateway'
          ? {
              userRole: 'desktop_app',
              licenseKey: br.licenseKey,
              branchId: br.branchId,
              deviceId: `bench-fanout-${b}`,
              appVersion: 'bench',
              protocolVersion: 2,
              capabilities: ['print-jobs', 'printer-status'],
            }
          : { publisher: true, branchId: br.branchId };
      const socket = io(`${o.url}/printing-ws`, { transports: ['websocket'], forceNew: true, auth });
      await connect(socket);
      const printers = [];
      for (let i = 0; i < o.printersPerBranch; i++) {
        if (o.target === 'gateway') {
          const ack = await socket
            .timeout(30_000)
            .emitWithAck('printer:discovered', { name: `fan-${b}-${i}`, status: 'online', connection: 'network' });
          if (!ack?.ok) throw new Error(`printer:discovered refused: ${JSON.stringify(ack)}`);
          printers.push({ id: ack.data.printerId, n: 0 });
        } else printers.push({ id: `printer-${b}-${i}`, n: 0 });
      }
      // Every printer starts "online" (what the dashboards were last told).
      await socket.timeout(30_000).emitWithAck('printer:status:update', {
        printerIds: printers.map((p) => ({ id: p.id, status: 'online' })),
      });
      branches.push({ socket, branchId: br.branchId, printers });
    }
    return { printers: branches.reduce((n, b) => n + b.printers.length, 0) };
  },

  /** Sends `ratePerS` status changes per second in total for `durationMs`, round-robin over all printers. */
  async run({ ratePerS, durationMs, tickMs = 10 }) {
    const all = branches.flatMap((b) => b.printers.map((p) => ({ b, p })));
    let cursor = 0;
    let sent = 0;
    let owed = 0;
    let acksPending = 0;
    const start = Date.now();
    let last = start;
    await new Promise((resolve) => {
      const timer = setInterval(() => {
        const now = Date.now();
        if (now - start >= durationMs) {
          clearInterval(timer);
          resolve();
          return;
        }
        owed += ((now - last) / 1000) * ratePerS;
        last = now;
        const n = Math.floor(owed);
        owed -= n;
        const perBranch = new Map();
        const lastSeen = new Date(now).toISOString();
        for (let i = 0; i < n; i++) {
          const { b, p } = all[cursor];
          cursor = (cursor + 1) % all.length;
          const status = CYCLE[p.n++ % CYCLE.length];
          let list = perBranch.get(b);
          if (!list) {
            list = [];
            perBranch.set(b, list);
          }
          list.push({ id: p.id, status, lastSeen });
        }
        for (const [b, list] of perBranch) {
          sent += list.length;
          acksPending++;
          b.socket.emit('printer:status:update', { printerIds: list }, () => acksPending--);
        }
      }, tickMs);
    });
    return { sent, seconds: (Date.now() - start) / 1000, acksPending };
  },

  stop() {
    for (const b of branches) b.socket.close();
    branches = [];
  },
});
