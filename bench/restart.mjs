#!/usr/bin/env node
// Restart to ready: how long a gateway takes from process start to its first `/health/ready` 200
// on a store that already exists (a restart, not a first start), on the embedded store and on
// PostgreSQL, in alternated rounds. Also the start-up phases the gateway logs (`startupMs`).
//
//   npm run build && node bench/restart.mjs [--rounds 7] [--database-url postgres://postgres@127.0.0.1:5432/test]
//
// Target (issue 17): the embedded store ready in ≤ 3 s after a restart on the 2-core machine.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    'skip-postgres': { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const repo = new URL('..', import.meta.url).pathname;
const cli = join(repo, 'packages/cli/dist/main.js');
const work = mkdtempSync(join(tmpdir(), 'pm-bench-restart-'));
const schema = `bench_restart_${process.pid}`;

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

function baseEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(PORT|DATABASE_URL|REDIS_URL|PRINTERMASTER_)/.test(k)) delete env[k];
  return { ...env, LOG_LEVEL: 'info', NODE_ENV: 'development' };
}

const stores = {
  embedded: { PRINTERMASTER_DATA_DIR: join(work, 'data') },
  postgres: { DATABASE_URL: values['database-url'], PRINTERMASTER_DATABASE_SCHEMA: schema },
};
if (values['skip-postgres']) delete stores.postgres;

/** One start: ms from spawn to the first 200 of /health/ready, and the logged phases. */
async function startOnce(storeEnv) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: { ...baseEnv(), ...storeEnv, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let readyMs;
  while (readyMs === undefined) {
    if (child.exitCode !== null) throw new Error(`the gateway exited before it was ready:\n${out}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(1_000) });
      if (res.status === 200) readyMs = performance.now() - started;
    } catch {
      // not listening yet
    }
    if (readyMs === undefined) await new Promise((r) => setTimeout(r, 10));
  }
  const phases = /"startupMs":(\{[^}]*\})/.exec(out)?.[1];
  child.kill('SIGINT');
  await exited;
  return { readyMs, phases: phases ? JSON.parse(phases) : {} };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};

try {
  if (stores.postgres) {
    const migrated = spawnSync(process.execPath, [cli, 'migrate'], {
      env: { ...baseEnv(), ...stores.postgres },
      encoding: 'utf8',
    });
    if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
  }
  // The first start of each store creates it (initdb, migrations): not a restart, not counted.
  for (const env of Object.values(stores)) await startOnce(env);
  const results = Object.fromEntries(Object.keys(stores).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, env] of Object.entries(stores)) results[name].push(await startOnce(env));
  }
  const load = (await import('node:os')).loadavg()[0].toFixed(1);
  process.stdout.write(`restart to ready, ${rounds} rounds alternated, load average at the end ${load}\n\n`);
  process.stdout.write('| store | median ms | min ms | max ms | median phases (ms) |\n|---|---|---|---|---|\n');
  for (const [name, runs] of Object.entries(results)) {
    const ready = runs.map((x) => x.readyMs);
    const keys = Object.keys(runs[0]?.phases ?? {});
    const phases = keys.map((k) => `${k} ${median(runs.map((x) => x.phases[k] ?? 0))}`).join(', ');
    process.stdout.write(
      `| ${name} | ${Math.round(median(ready))} | ${Math.round(Math.min(...ready))} | ${Math.round(Math.max(...ready))} | ${phases} |\n`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  if (stores.postgres) {
    spawnSync('psql', [values['database-url'], '-qc', `DROP SCHEMA IF EXISTS ${schema} CASCADE`], { stdio: 'ignore' });
  }
}
