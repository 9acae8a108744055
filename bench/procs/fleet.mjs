// Many simulated agents in one process: Socket.IO clients with the real
// agent's handshake and reconnection settings (websocket transport, jittered
// exponential backoff 1 s → 30 s). Used for idle memory and the reconnect storm.
import { io } from 'socket.io-client';
import { serveCommands } from '../lib/ipc.mjs';

/** @type {{socket: import('socket.io-client').Socket, connectedAt: number}[]} */
const agents = [];
let mark = 0;
let connectErrors = 0;
let disconnects = 0;
/** Why connections failed or dropped since the mark, by message (the storm's diagnosis). */
let errorReasons = {};
let disconnectReasons = {};
const count = (o, k) => {
  o[k] = (o[k] ?? 0) + 1;
};

function backoff(attempt) {
  const base = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 10));
  return base * (0.5 + Math.random());
}

/**
 * @param {{url: string, target: 'gateway'|'bare', licences: {licenseKey: string, branchId: string}[],
 *          index: number}} o
 */
function makeAgent(o) {
  const lic = o.licences[o.index % o.licences.length];
  const deviceId = `bench-agent-${o.prefix}-${o.index}`;
  const socket = io(`${o.url}/printing-ws`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: true,
    reconnectionAttempts: Number.POSITIVE_INFINITY,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 30_000,
    randomizationFactor: 0.5,
    auth: {
      userRole: 'desktop_app',
      licenseKey: lic.licenseKey,
      branchId: lic.branchId,
      deviceId,
      instanceId: `${deviceId}-${process.pid}`,
      appVersion: 'bench',
      protocolVersion: 2,
      capabilities: ['print-jobs', 'printer-test', 'printer-status', 'health-report'],
    },
  });
  const entry = { socket, connectedAt: 0 };
  let manualAttempt = 0;
  socket.on('connect', () => {
    entry.connectedAt = Date.now();
    manualAttempt = 0;
    if (o.hello) {
      // What the real agent says first (it also announces its printers; these agents have none).
      socket.emit('join:branch', { branchId: lic.branchId });
      socket.emit('desktop:status', { status: 'ready', timestamp: new Date().toISOString(), version: 'bench' });
    }
  });
  socket.on('disconnect', (reason) => {
    disconnects++;
    count(disconnectReasons, reason);
    if (reason === 'io server disconnect') setTimeout(() => socket.connect(), backoff(manualAttempt++));
  });
  socket.on('connect_error', (err) => {
    connectErrors++;
    count(errorReasons, String(err?.description?.message ?? err?.message ?? err).slice(0, 80));
    // A refused handshake is not retried by the library: retry like the real agent does.
    if (!socket.active) setTimeout(() => socket.connect(), backoff(manualAttempt++));
  });
  return entry;
}

serveCommands({
  /** Adds agents until `total` exist and every one is connected; at most `parallel` handshakes at a time. */
  async grow({ url, total, licences, prefix, hello = true, parallel = 100, timeoutMs = 300_000 }) {
    const started = Date.now();
    const deadline = started + timeoutMs;
    let next = agents.length;
    const waitOne = (entry) =>
      new Promise((resolve) => {
        if (entry.connectedAt) return resolve();
        entry.socket.once('connect', () => resolve());
      });
    const lane = async () => {
      while (next < total && Date.now() < deadline) {
        const entry = makeAgent({ url, licences, index: next++, prefix, hello });
        agents.push(entry);
        await Promise.race([waitOne(entry), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
      }
    };
    await Promise.all(Array.from({ length: parallel }, lane));
    const connected = agents.filter((a) => a.socket.connected).length;
    return { total: agents.length, connected, ms: Date.now() - started };
  },

  /** From now on, connects are counted as "back". */
  mark() {
    mark = Date.now();
    connectErrors = 0;
    disconnects = 0;
    errorReasons = {};
    disconnectReasons = {};
    return { mark };
  },

  /** Connected counts and, for every agent that connected after the mark, the time it did. */
  status({ withTimes = false } = {}) {
    let connected = 0;
    let back = 0;
    const times = [];
    for (const a of agents) {
      if (a.socket.connected) connected++;
      if (a.connectedAt > mark) {
        back++;
        if (withTimes) times.push(a.connectedAt);
      }
    }
    return {
      total: agents.length,
      connected,
      back,
      connectErrors,
      disconnects,
      ...(withTimes ? { times, errorReasons, disconnectReasons } : {}),
    };
  },

  closeAll() {
    for (const a of agents) a.socket.close();
    agents.length = 0;
    return { ok: true };
  },
});
