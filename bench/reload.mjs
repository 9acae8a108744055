#!/usr/bin/env node
// pm2 reload on the embedded store (decision 0010), probed as a health checker would: a probe of
// `/api/health` every --probe-interval-ms, each given --probe-timeout-ms, overlapping, through
// the real pm2 and deploy/pm2/ecosystem.config.cjs. Per reload: probes failed, the longest probe
// (the hold), and where the handover's time went, from both processes' log lines: the old one's
// drain steps and stop parts, the new one's start-up phases.
//
//   npm run build && node bench/reload.mjs [--rounds 5] [--busy 4] [--probe-timeout-ms 5000]
//
// --busy N starts N `yes > /dev/null` processes for the run (both cores busy) and ends them after.
// Target (issue 17): no failed probe with a 5 s timeout under load ~8.

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    busy: { type: 'string', default: '0' },
    'probe-timeout-ms': { type: 'string', default: '5000' },
    'probe-interval-ms': { type: 'string', default: '200' },
    json: { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const probeTimeoutMs = Number(values['probe-timeout-ms']);
const probeIntervalMs = Number(values['probe-interval-ms']);
const repo = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'pm-bench-reload-'));
const run = promisify(execFile);

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = { ...process.env };
for (const k of Object.keys(env))
  if (/^(PORT|HOST|DATABASE_URL|REDIS_URL|JWT_SECRET|CORS_ORIGINS|NODE_ENV|PRINTERMASTER_)/.test(k)) delete env[k];
Object.assign(env, { PM2_HOME: join(work, 'pm2'), PORT: String(port), PRINTERMASTER_DATA_DIR: join(work, 'data') });
const pm2 = async (...args) => (await run('npx', ['pm2', ...args], { cwd: repo, env, timeout: 120_000 })).stdout;
const outLog = join(work, 'pm2', 'logs', 'printermaster-out.log');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The gateway's JSON log lines written since byte `from`. */
function logLinesSince(from) {
  const text = readFileSync(outLog).subarray(from).toString('utf8');
  const lines = [];
  for (const line of text.split('\n')) {
    const i = line.indexOf('{"level"');
    if (i < 0) continue;
    try {
      lines.push(JSON.parse(line.slice(i)));
    } catch {
      // a line cut by the read
    }
  }
  return lines;
}
const logSize = () => {
  try {
    return readFileSync(outLog).length;
  } catch {
    return 0;
  }
};

/** One reload, probed all through; the probes and the log lines of both processes. */
async function reloadOnce() {
  const from = logSize();
  const probes = [];
  let probing = true;
  const inFlight = new Set();
  const prober = (async () => {
    while (probing) {
      const p = (async () => {
        const began = performance.now();
        const at = Date.now();
        let ok = false;
        let error;
        try {
          const res = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(probeTimeoutMs) });
          await res.arrayBuffer();
          ok = res.status === 200;
          if (!ok) error = `HTTP ${res.status}`;
        } catch (err) {
          error = String(err.cause?.code ?? err.name ?? err);
        }
        probes.push({ at, ms: performance.now() - began, ok, error });
      })();
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      await sleep(probeIntervalMs);
    }
  })();
  await sleep(1_000);
  const reloadStarted = Date.now();
  await pm2('reload', 'printermaster', '--wait-ready', '--listen-timeout', '10000');
  const reloadMs = Date.now() - reloadStarted;
  await sleep(1_000);
  probing = false;
  await prober;
  await Promise.all([...inFlight]);
  // The old process logs its stop after the reload returns: wait for it.
  let lines = logLinesSince(from);
  for (let i = 0; i < 100 && !lines.some((l) => l.msg === 'gateway stopped' && l.reason === 'handover'); i++) {
    await sleep(100);
    lines = logLinesSince(from);
  }
  return { probes, reloadMs, lines };
}

/** Where the handover's time went, ms from the old process's "asked" line. */
function timeline(lines) {
  const t = (l) => (l ? Date.parse(l.time) : Number.NaN);
  const asked = lines.find((l) => l.msg === 'a new gateway process asked for the data directory; handing it over');
  const drained = lines.find((l) => l.msg === 'gateway drained' && l.instanceId === asked?.instanceId);
  const stopped = lines.find((l) => l.msg === 'gateway stopped' && l.reason === 'handover');
  const ready = lines.find((l) => l.msg === 'gateway listening');
  const phases = ready?.startupMs ?? {};
  // The phases are in the order they ran: the time from a phase's end to ready is the sum of those after it.
  const after = (name) => {
    const keys = Object.keys(phases).filter((k) => k !== 'uptimeMs');
    return keys.slice(keys.indexOf(name) + 1).reduce((sum, k) => sum + phases[k], 0);
  };
  const listenedAt = t(ready) - after('listen');
  const lockAt = t(ready) - after('lock');
  const zero = t(asked);
  return {
    successorListening: listenedAt - zero,
    asked: 0,
    predecessorDrained: t(drained) - zero,
    lockReleased: t(stopped) - zero,
    lockAcquired: lockAt - zero,
    ready: t(ready) - zero,
    holdFromListen: t(ready) - listenedAt,
    drainMs: drained?.drainMs,
    stopMs: stopped?.stopMs,
    startupMs: phases,
  };
}

const busy = [];
try {
  for (let i = 0; i < Number(values.busy); i++) {
    busy.push(spawn('sh', ['-c', 'exec yes > /dev/null'], { stdio: 'ignore' }));
  }
  await pm2('start', 'deploy/pm2/ecosystem.config.cjs');
  // The first start creates the store (initdb): not a reload, not counted.
  for (let i = 0; ; i++) {
    const ok = await fetch(`${base}/health/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (i > 1_200) throw new Error('the first gateway never became ready');
    await sleep(100);
  }
  const results = [];
  for (let r = 0; r < rounds; r++) {
    const { probes, reloadMs, lines } = await reloadOnce();
    const failed = probes.filter((p) => !p.ok);
    const longest = Math.max(...probes.map((p) => p.ms));
    const result = {
      round: r + 1,
      load: loadavg()[0],
      reloadMs,
      probes: probes.length,
      failed: failed.length,
      errors: [...new Set(failed.map((p) => p.error))],
      longestProbeMs: Math.round(longest),
      ...timeline(lines),
    };
    // When each failed probe was sent, ms from the old process's "asked" line.
    const asked = lines.find((l) => l.msg === 'a new gateway process asked for the data directory; handing it over');
    result.failedSentAt = failed.map((p) => (asked ? p.at - Date.parse(asked.time) : p.at));
    results.push(result);
    process.stderr.write(`${JSON.stringify(result)}\n`);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  const fmt = (x) => (Number.isFinite(x) ? Math.round(x) : '–');
  process.stdout.write(
    `pm2 reload on the embedded store, ${rounds} reloads, --busy ${values.busy}, probe every ${probeIntervalMs} ms with a ${probeTimeoutMs} ms timeout\n\n`,
  );
  process.stdout.write(
    '| # | load | probes | failed | longest probe ms | listen→ready ms | asked→lock released ms | lock acquired→ready ms | new: phases ms | old: drain steps ms | old: stop parts ms |\n|---|---|---|---|---|---|---|---|---|---|---|\n',
  );
  const kv = (o) =>
    Object.entries(o ?? {})
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  for (const x of results) {
    process.stdout.write(
      `| ${x.round} | ${x.load.toFixed(1)} | ${x.probes} | ${x.failed}${x.errors.length ? ` (${x.errors.join(', ')})` : ''} | ${x.longestProbeMs} | ${fmt(x.holdFromListen)} | ${fmt(x.lockReleased)} | ${fmt(x.ready - x.lockAcquired)} | ${kv(x.startupMs)} | ${kv(x.drainMs)} | ${kv(x.stopMs)} |\n`,
    );
  }
} finally {
  for (const b of busy) b.kill();
  await pm2('kill').catch(() => {});
  // The gateways' log of the last run, for a closer look.
  await run('cp', [outLog, join(tmpdir(), 'pm-bench-reload-last.log')]).catch(() => {});
  rmSync(work, { recursive: true, force: true });
}
