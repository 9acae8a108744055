// Watches a gateway while it streams an export: its resident memory (VmRSS from
// /proc/<pid>/status) and one GET /health/live, each every `everyMs`, from a
// process of its own, so that the client reading the export (the parent) does not
// delay the probes. A probe slower than the period delays the next one: never two
// at once, and a stall shows as one long sample, not as many.
import { Agent, request } from 'node:http';
import { serveCommands } from '../lib/ipc.mjs';
import { rssBytes } from '../lib/proc.mjs';
import { Samples, summarize } from '../lib/stats.mjs';

let watch;

function probe(target, agent, timeoutMs) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = request(
      { host: target.hostname, port: target.port, path: '/health/live', agent, timeout: timeoutMs },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ ok: res.statusCode === 200, ms: performance.now() - t0 }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ ok: false, ms: performance.now() - t0 }));
    req.end();
  });
}

/** @param {{url: string, pid: number, everyMs?: number}} o */
function start(o) {
  if (watch) throw new Error('already watching');
  const everyMs = o.everyMs ?? 100;
  const target = new URL(o.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const state = {
    startedAt: Date.now(),
    rss: [],
    live: new Samples(),
    liveSeries: [],
    liveErrors: 0,
    marks: {},
    stopped: false,
  };
  const rssTimer = setInterval(() => {
    const bytes = rssBytes(o.pid);
    if (bytes !== undefined) state.rss.push([Date.now() - state.startedAt, bytes]);
  }, everyMs);
  const liveLoop = (async () => {
    while (!state.stopped) {
      const t = performance.now();
      const r = await probe(target, agent, 5_000);
      if (r.ok) state.live.push(r.ms);
      else state.liveErrors++;
      state.liveSeries.push([Date.now() - state.startedAt, Math.round(r.ms * 100) / 100]);
      const wait = everyMs - (performance.now() - t);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  })();
  watch = { state, rssTimer, liveLoop, agent };
  return { startedAt: state.startedAt };
}

/** Marks a moment (e.g. the export's start) on the watch's clock. */
function mark({ name }) {
  if (!watch) throw new Error('not watching');
  watch.state.marks[name] = Date.now() - watch.state.startedAt;
  return watch.state.marks[name];
}

/** Stops and answers every sample (RSS as [ms, bytes], live as [ms, latency]) and the live summary per phase. */
async function stop() {
  if (!watch) throw new Error('not watching');
  const { state, rssTimer, liveLoop, agent } = watch;
  state.stopped = true;
  clearInterval(rssTimer);
  await liveLoop;
  agent.destroy();
  watch = undefined;
  return {
    rss: state.rss,
    liveSeries: state.liveSeries,
    liveErrors: state.liveErrors,
    live: summarize(state.live.values()),
    marks: state.marks,
  };
}

serveCommands({ start, mark, stop });
