// Forces a full GC in another Node process and reads its heap, through the
// inspector protocol (the process is started with --inspect=127.0.0.1:0).
import WebSocket from 'ws';
import { rssBytes, sleep } from './proc.mjs';

/** The inspector WebSocket URL a process printed ("Debugger listening on ws://..."). */
export async function inspectorUrl(proc) {
  const line = await proc.waitForLine(/Debugger listening on ws:\/\//, 30_000);
  return /ws:\/\/\S+/.exec(line)[0];
}

/** Connects to an inspector; `measure()` runs two full GCs and returns {heapUsed, rss}. */
export async function inspect(wsUrl, pid) {
  const ws = new WebSocket(wsUrl);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let nextId = 1;
  const waiting = new Map();
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    if (msg.id && waiting.has(msg.id)) {
      const { resolve, reject } = waiting.get(msg.id);
      waiting.delete(msg.id);
      if (msg.error) reject(new Error(msg.error.message));
      else resolve(msg.result);
    }
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    async measure() {
      await send('HeapProfiler.enable');
      await send('HeapProfiler.collectGarbage');
      await sleep(200);
      await send('HeapProfiler.collectGarbage');
      const usage = await send('Runtime.getHeapUsage');
      await send('HeapProfiler.disable');
      return { heapUsed: usage.usedSize, heapTotal: usage.totalSize, rss: rssBytes(pid) };
    },
    close() {
      ws.close();
    },
  };
}
