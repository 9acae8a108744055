// Fan-out receivers: many dashboard sockets (socket.io-client, as a browser
// dashboard would use), each subscribed to one branch, timing every
// printerStatusUpdate entry against the `lastSeen` the publisher stamped.
import { io } from 'socket.io-client';
import { serveCommands } from '../lib/ipc.mjs';
import { Samples, summarize } from '../lib/stats.mjs';

/** @type {import('socket.io-client').Socket[]} */
let sockets = [];
let recording = false;
let latencies = new Samples();
let entries = 0;
let messages = 0;

serveCommands({
  /** @param {{url: string, target: 'gateway'|'bare', clients: {branchId: string, token?: string}[]}} o */
  async start(o) {
    const connects = [];
    for (const c of o.clients) {
      const auth = o.target === 'gateway' ? { token: c.token } : { dashboard: true, branchId: c.branchId, token: 'x' };
      const socket = io(`${o.url}/printing-ws`, { transports: ['websocket'], forceNew: true, auth });
      socket.on('printerStatusUpdate', (list) => {
        if (!recording) return;
        const now = Date.now();
        messages++;
        for (const e of list) {
          entries++;
          latencies.push(now - Date.parse(e.lastSeen));
        }
      });
      sockets.push(socket);
      connects.push(
        new Promise((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('connect_error', (err) => {
            if (!socket.active) reject(err);
          });
        }),
      );
      // Connect in small waves so the handshakes do not pile up.
      if (connects.length % 50 === 0) await Promise.all(connects.slice(-50));
    }
    await Promise.all(connects);
    return { connected: sockets.filter((s) => s.connected).length };
  },

  record() {
    latencies = new Samples();
    entries = 0;
    messages = 0;
    recording = true;
  },

  count: () => ({ entries, messages }),

  /** Counts, a summary, and an evenly spaced subsample (for merging processes). */
  result({ maxSamples = 50_000 } = {}) {
    recording = false;
    const all = latencies.values();
    const step = Math.max(1, Math.ceil(all.length / maxSamples));
    const sample = [];
    for (let i = 0; i < all.length; i += step) sample.push(all[i]);
    return { entries, messages, latencyMs: summarize(all), sample };
  },

  stop() {
    for (const s of sockets) s.close();
    sockets = [];
  },
});
