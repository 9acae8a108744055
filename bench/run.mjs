#!/usr/bin/env node
// PrinterMaster benchmark suite: every scenario runs beside its bare Socket.IO
// baseline in the same run, on 127.0.0.1 only, each step bounded in time.
// Usage: npm run bench -- [--quick] [--scenarios baseline,rpc,durable,idle,storm,fanout] ...
// (node bench/run.mjs --help lists every flag).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, hostname, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Context } from './lib/context.mjs';
import { pgReachable, ROOT } from './lib/gateway.mjs';
import { evaluateTargets, renderMarkdown, renderSvg } from './lib/report.mjs';
import { runDurable } from './scenarios/durable.mjs';
import { runExport } from './scenarios/export.mjs';
import { runFanout } from './scenarios/fanout.mjs';
import { runGrowth } from './scenarios/growth.mjs';
import { runHistory } from './scenarios/history.mjs';
import { runIdle } from './scenarios/idle.mjs';
import { runImages } from './scenarios/images.mjs';
import { runProfile } from './scenarios/profile.mjs';
import { runBaseline, runRelayAndRpc, runRpc } from './scenarios/request-reply.mjs';
import { runStorm } from './scenarios/storm.mjs';
import { runWebhooks } from './scenarios/webhooks.mjs';

const USAGE = `Usage: npm run bench -- [options]      (or: node bench/run.mjs [options] after npm run build)

Runs on 127.0.0.1 only. Writes <out>/latest.json, latest.md and latest.svg
(and with --profile, <out>/profiles/*.svg flame graphs).

  --scenarios LIST     comma-separated: baseline,rpc,durable,idle,storm,fanout,images,webhooks,profile,export,history,growth
                       (default: all but profile, export, history and growth; webhooks: the durable path at the
                       highest --connections without and with a webhook endpoint, --rounds times each;
                       export: a million seeded jobs streamed as CSV, RSS and /health/live sampled;
                       history: the durable path on a store with a million past jobs against an empty one;
                       growth: the gateway's heap after a million jobs against a new process's)
  --quick              small sizes and 3 s per level: a smoke run of about 2 minutes
  --duration S         measured seconds per concurrency level (default 10; quick 3)
  --warmup S           unmeasured seconds before each level (default 2; quick 1)
  --connections LIST   concurrencies for baseline, rpc and durable (default 1,16,64)
  --stores LIST        stores for the durable path: embedded,postgres (default both;
                       postgres is skipped with a note when it is unreachable)
  --rpc-store S        store of the printer-test gateway (default embedded)
  --rounds N           with baseline and rpc together: each level runs N times on each side,
                       relay and gateway in alternation; targets use the median paired ratio
                       (default 3; quick 1)
  --storm-store S      store of the reconnect-storm gateway (default embedded)
  --idle LIST          idle agent counts (default 1000,5000,10000; quick 500,1000)
  --storm LIST         reconnect storm sizes (default 5000,10000; quick 1000)
  --storm-timeout S    longest wait for agents to come back (default 120)
  --dashboards N       fan-out dashboard clients (default 500; quick 100)
  --status-rate N      fan-out printer status changes per second (default 1000; quick 200)
  --printers N         printers of the real agent on the durable path (default 4)
  --image-connections N  images: connections submitting the largest allowed documents (default 4)
  --export-rows N      export: print jobs seeded and exported (default 1000000; quick 100000)
  --export-stores LIST export: stores seeded, postgres,embedded (default both; postgres is skipped
                       with a note when it is unreachable)
  --history-rows N     history: past jobs seeded (each with 4 state changes and an event;
                       default 1000000; quick 100000)
  --history-rounds N   history: alternated pairs of empty and seeded runs (default 2; quick 1)
  --growth-jobs N      growth: jobs through the gateway before the last reading (default 1000000;
                       quick 20000), on each of --stores
  --growth-segment S   growth: seconds of jobs between two readings of the heap (default 300; quick 20)
  --export-role ROLE   export: who exports, company_owner (default, the bootstrap company's) or super_admin
  --skip-floor         durable: skip the durable path's floor (the same path on the same stack
                       with no gateway code: bench/procs/durable-floor-*.mjs)
  --agent-journal-dir D  parent directory of the real agents' journals (default: the run's work
                       directory under the OS temp dir; e.g. /dev/shm to take disk syncs out)
  --sizes K=V          shorthand, repeatable: --sizes idle=1000,2000 --sizes storm=2000
                       (keys: connections, idle, storm, dashboards, status-rate, printers,
                       image-connections)
  --gateway-env K=V    extra environment for every gateway started (repeatable), to measure a
                       setting before/after, e.g. --gateway-env PRINTERMASTER_SOCKET_DEFLATE=false
  --profile            also run the profile scenario (gateway under --cpu-prof)
  --profile-parts LIST what the profile scenario profiles: rpc,durable,handshake,fanout (default all)
  --database-url URL   PostgreSQL for the postgres store (default postgres://postgres@127.0.0.1:5432/test)
  --database-role-url URL  the postgres store's gateways connect with this URL instead, as its role
                       (an existing role without SUPERUSER or BYPASSRLS, so that row-level security
                       applies), granted on each fresh schema with \`printermaster migrate --grant\`
  --durable-role ROLE  role of the durable path's submitters' token: super_admin (default) or
                       company_owner (the bootstrap company's), whose requests run in its company's scope
  --out DIR            output directory (default bench/results)
  --keep               keep the work directory (stores, journals, logs) after the run
  --help
`;

const ALL = ['baseline', 'rpc', 'durable', 'idle', 'storm', 'fanout', 'images', 'webhooks'];
const PROFILE_PARTS = ['rpc', 'durable', 'handshake', 'fanout'];

function list(s) {
  return String(s)
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}
const nums = (s) => list(s).map(Number);

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenarios: { type: 'string' },
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      stores: { type: 'string' },
      'rpc-store': { type: 'string' },
      rounds: { type: 'string' },
      'storm-store': { type: 'string' },
      idle: { type: 'string' },
      storm: { type: 'string' },
      'storm-timeout': { type: 'string' },
      dashboards: { type: 'string' },
      'status-rate': { type: 'string' },
      printers: { type: 'string' },
      'image-connections': { type: 'string' },
      'export-rows': { type: 'string' },
      'export-stores': { type: 'string' },
      'export-role': { type: 'string' },
      'history-rows': { type: 'string' },
      'history-rounds': { type: 'string' },
      'growth-jobs': { type: 'string' },
      'growth-segment': { type: 'string' },
      'agent-journal-dir': { type: 'string' },
      'skip-floor': { type: 'boolean', default: false },
      sizes: { type: 'string', multiple: true },
      'gateway-env': { type: 'string', multiple: true },
      profile: { type: 'boolean', default: false },
      'profile-parts': { type: 'string' },
      'database-url': { type: 'string' },
      'database-role-url': { type: 'string' },
      'durable-role': { type: 'string' },
      out: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  for (const kv of values.sizes ?? []) {
    const [k, v] = kv.split('=');
    const keys = ['connections', 'idle', 'storm', 'dashboards', 'status-rate', 'printers', 'image-connections'];
    if (!keys.includes(k) || !v) {
      throw new Error(`--sizes ${kv}: expected KEY=VALUE with KEY one of ${keys.join(', ')}`);
    }
    values[k] = v;
  }
  const q = values.quick;
  const scenarios = values.scenarios ? list(values.scenarios) : [...ALL];
  if (values.profile && !scenarios.includes('profile')) scenarios.push('profile');
  for (const s of scenarios)
    if (![...ALL, 'profile', 'export', 'history', 'growth'].includes(s)) throw new Error(`unknown scenario "${s}"`);
  for (const s of list(values['profile-parts'] ?? PROFILE_PARTS.join(',')))
    if (!PROFILE_PARTS.includes(s)) throw new Error(`unknown profile part "${s}"`);
  return {
    scenarios,
    quick: q,
    durationS: Number(values.duration ?? (q ? 3 : 10)),
    warmupS: Number(values.warmup ?? (q ? 1 : 2)),
    connections: nums(values.connections ?? '1,16,64'),
    stores: list(values.stores ?? 'embedded,postgres'),
    rpcStore: values['rpc-store'] ?? 'embedded',
    rounds: Math.max(1, Number(values.rounds ?? (q ? 1 : 3))),
    stormStore: values['storm-store'] ?? 'embedded',
    idle: nums(values.idle ?? (q ? '500,1000' : '1000,5000,10000')).sort((a, b) => a - b),
    storm: nums(values.storm ?? (q ? '1000' : '5000,10000')).sort((a, b) => a - b),
    stormTimeoutS: Number(values['storm-timeout'] ?? 120),
    profileParts: list(values['profile-parts'] ?? PROFILE_PARTS.join(',')),
    dashboards: Number(values.dashboards ?? (q ? 100 : 500)),
    statusRate: Number(values['status-rate'] ?? (q ? 200 : 1000)),
    printers: Number(values.printers ?? 4),
    imageConnections: Number(values['image-connections'] ?? 4),
    exportRows: Number(values['export-rows'] ?? (q ? 100_000 : 1_000_000)),
    exportStores: list(values['export-stores'] ?? 'postgres,embedded'),
    exportRole: exportRole(values['export-role'] ?? 'company_owner'),
    historyRows: Number(values['history-rows'] ?? (q ? 100_000 : 1_000_000)),
    historyRounds: Math.max(1, Number(values['history-rounds'] ?? (q ? 1 : 2))),
    growthJobs: Number(values['growth-jobs'] ?? (q ? 20_000 : 1_000_000)),
    growthSegmentS: Math.max(5, Number(values['growth-segment'] ?? (q ? 20 : 300))),
    floor: !values['skip-floor'],
    gatewayEnv: Object.fromEntries(
      (values['gateway-env'] ?? []).map((kv) => {
        const i = kv.indexOf('=');
        if (i <= 0) throw new Error(`--gateway-env ${kv}: expected KEY=VALUE`);
        return [kv.slice(0, i), kv.slice(i + 1)];
      }),
    ),
    agentJournalDir: values['agent-journal-dir'] ? resolve(values['agent-journal-dir']) : undefined,
    databaseUrl: values['database-url'] ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    databaseRoleUrl: values['database-role-url'],
    durableRole: durableRole(values['durable-role'] ?? 'super_admin'),
    outDir: resolve(values.out ?? join(ROOT, 'bench/results')),
    keep: values.keep,
  };
}

function exportRole(role) {
  if (!['super_admin', 'company_owner'].includes(role))
    throw new Error(`--export-role ${role}: company_owner or super_admin`);
  return role;
}

function durableRole(role) {
  if (!['super_admin', 'company_owner'].includes(role))
    throw new Error(`--durable-role ${role}: super_admin or company_owner`);
  return role;
}

/** The commit measured and whether packages/ had uncommitted changes (built into dist at run time). */
function gitState() {
  const git = (...args) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    } catch {
      return undefined;
    }
  };
  const dirty = git('status', '--porcelain', '--', 'packages');
  return {
    commit: git('rev-parse', '--short', 'HEAD'),
    packagesChanged: dirty === undefined ? undefined : dirty.split('\n').filter(Boolean).length,
  };
}

function machine() {
  const c = cpus();
  return {
    hostname: hostname(),
    cpuModel: c[0]?.model ?? 'unknown',
    cores: c.length,
    totalMemoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    os: `${process.platform} ${release()}`,
    node: process.version,
  };
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  const workDir = mkdtempSync(join(tmpdir(), 'pm-bench-'));
  const ctx = new Context({ workDir, logDir: join(workDir, 'logs'), outDir: opts.outDir, opts });
  const startedAt = new Date();
  const results = {
    meta: {
      startedAt: startedAt.toISOString(),
      machine: machine(),
      git: gitState(),
      options: { ...opts, outDir: undefined },
      notes: [],
    },
    scenarios: {},
  };
  let interrupted = false;
  const onSignal = async () => {
    if (interrupted) return;
    interrupted = true;
    ctx.log('interrupted: stopping every process');
    await ctx.stopAll();
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  ctx.log(`work directory ${workDir}; logs in ${ctx.logDir}`);
  ctx.log(`machine: ${results.meta.machine.cpuModel} × ${results.meta.machine.cores}, Node ${process.version}`);
  const pgOk = await pgReachable(opts.databaseUrl);
  if (!pgOk) {
    const note = `PostgreSQL at ${opts.databaseUrl.replace(/\/\/[^@]*@/, '//')} is not reachable: postgres runs are skipped`;
    results.meta.notes.push(note);
    ctx.log(note);
    opts.stores = opts.stores.filter((s) => s !== 'postgres');
    opts.exportStores = opts.exportStores.filter((s) => s !== 'postgres');
    if (opts.rpcStore === 'postgres') opts.rpcStore = 'embedded';
    if (opts.stormStore === 'postgres') opts.stormStore = 'embedded';
  }

  const run = async (name, fn) => {
    const t0 = Date.now();
    try {
      results.scenarios[name] = await fn();
    } catch (err) {
      ctx.log(`${name} FAILED: ${err instanceof Error ? err.stack : err}`);
      results.scenarios[name] = { error: err instanceof Error ? err.message : String(err) };
    } finally {
      await ctx.stopAll();
    }
    if (results.scenarios[name]) results.scenarios[name].wallS = Math.round((Date.now() - t0) / 100) / 10;
  };

  const want = (s) => opts.scenarios.includes(s);
  if (want('baseline') && want('rpc')) {
    // Measured in alternation, so that the ratios compare runs seconds apart (runRelayAndRpc).
    await run('rpc', async () => {
      const both = await runRelayAndRpc(ctx);
      results.scenarios.baseline = both.baseline;
      return both.rpc;
    });
    await run('baselineDeflate', async () => {
      const ref = await runBaseline(ctx, opts.connections, { deflateOnly: true });
      if (results.scenarios.baseline && !results.scenarios.baseline.error)
        results.scenarios.baseline.deflate = ref.deflate;
      return { see: 'baseline.deflate' };
    });
    // Kept only when it failed, so that the failure shows (and the work directory is kept).
    if (!results.scenarios.baselineDeflate?.error) delete results.scenarios.baselineDeflate;
  } else {
    if (want('baseline')) await run('baseline', () => runBaseline(ctx));
    if (want('rpc')) await run('rpc', () => runRpc(ctx));
  }
  if (want('durable')) {
    // The durable path is compared with the relay at the highest concurrency.
    const top = Math.max(...opts.connections);
    const hasBaseline = results.scenarios.baseline?.levels?.some((l) => l.connections === top);
    if (!hasBaseline) await run('baseline', () => runBaseline(ctx, [top], { deflateReference: false }));
    await run('durable', () => runDurable(ctx));
  }
  if (want('idle')) await run('idle', () => runIdle(ctx));
  if (want('storm')) await run('storm', () => runStorm(ctx));
  if (want('fanout')) await run('fanout', () => runFanout(ctx));
  if (want('images')) await run('images', () => runImages(ctx));
  if (want('webhooks')) await run('webhooks', () => runWebhooks(ctx));
  if (want('profile')) await run('profile', () => runProfile(ctx));
  if (want('export')) await run('export', () => runExport(ctx));
  if (want('history')) await run('history', () => runHistory(ctx));
  if (want('growth')) await run('growth', () => runGrowth(ctx));

  results.meta.finishedAt = new Date().toISOString();
  results.meta.machine.loadAverageAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
  results.meta.wallS = Math.round((Date.now() - startedAt.getTime()) / 1000);
  results.targets = evaluateTargets(results);

  mkdirSync(opts.outDir, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const svg = renderSvg(results);
  const md = renderMarkdown(results, { svgFile: 'latest.svg' });
  for (const [name, body] of [
    ['latest.json', json],
    ['latest.svg', svg],
    ['latest.md', md],
  ]) {
    writeFileSync(join(opts.outDir, name), body);
  }
  ctx.log(`wrote ${join(opts.outDir, 'latest.json')}, latest.md, latest.svg (${results.meta.wallS} s)`);
  for (const t of results.targets)
    ctx.log(`  ${t.met === true ? 'MET    ' : t.met === false ? 'NOT MET' : 'n/a    '} ${t.name}: ${t.detail}`);
  const failed = Object.entries(results.scenarios).filter(([, v]) => v?.error);
  if (!opts.keep && failed.length === 0) {
    rmSync(workDir, { recursive: true, force: true });
    for (const d of ctx.extraDirs ?? []) rmSync(d, { recursive: true, force: true });
  } else ctx.log(`kept ${workDir} (logs in ${ctx.logDir})`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
