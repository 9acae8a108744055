// Before/after of one change, measured in alternation: two builds of the gateway up at
// once (each on a fresh embedded store), the same load driven at one, then the other,
// `--pairs` times with the order swapped each pair; the CPU each gateway spends per unit
// of work comes from /proc. On a shared host whose speed drifts by half within minutes,
// pairs seconds apart are what a change of 5–20 % can be told from.
//
//   node bench/ab.mjs --before /tmp/pm-before [--after .] --measure rpc|handshake
//        [--pairs 6] [--connections 64] [--seconds 5] [--agents 2000]
//
// `--before` and `--after` are checkouts, each installed and built (`npm install && npm run
// build`); the "before" is usually `git worktree add /tmp/pm-before <parent commit>`.
//   rpc:       printer tests (one responder agent per gateway, closed-loop HTTP load at
//              `--connections`): req/s, p50, gateway µs of CPU per test, and the same
//              over the responder's and the load generator's (which did not change).
//   handshake: `--agents` simulated agents connect to one gateway, then close; gateway ms
//              of CPU per agent. The first pair only warms both gateways up.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Context } from './lib/context.mjs';
import { cpuMeter, sleep } from './lib/proc.mjs';
import { fleetLicences } from './scenarios/idle.mjs';

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string', default: '.' },
    measure: { type: 'string', default: 'rpc' },
    pairs: { type: 'string', default: '6' },
    connections: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '5' },
    agents: { type: 'string', default: '2000' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help || !values.before || !['rpc', 'handshake'].includes(values.measure)) {
  process.stdout.write(
    'Usage: node bench/ab.mjs --before DIR [--after DIR] --measure rpc|handshake [--pairs N] [--connections N] [--seconds S] [--agents N]\n',
  );
  process.exit(values.help ? 0 : 2);
}
const pairs = Number(values.pairs);
const work = `/tmp/pm-ab-${process.pid}`;
const ctx = new Context({ workDir: work, logDir: `${work}/logs`, outDir: work, opts: { quick: false } });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const order = (i) => (i % 2 ? ['after', 'before'] : ['before', 'after']);

async function startSide(name, dir) {
  const { startGateway } = await import(resolve(dir, 'bench/lib/gateway.mjs'));
  const storeEnv = { PRINTERMASTER_DATA_DIR: ctx.dir(`data-${name}`) };
  const gw = await startGateway(ctx, { name: `gateway-${name}`, storeEnv });
  return { name, gw, storeEnv, samples: [] };
}

async function rpc(sides) {
  for (const s of sides) {
    s.responder = ctx.fork(`responder-${s.name}`, 'responder.mjs');
    ({ printerId: s.printerId } = await s.responder.call('start', {
      url: s.gw.url,
      mode: 'gateway',
      licenseKey: s.gw.creds.licenseKey,
      branchId: s.gw.creds.branchId,
    }));
  }
  const load = ctx.fork('load', 'http-load.mjs');
  const run = (s, durationMs, warmupMs) =>
    load.call('run', {
      url: s.gw.url,
      path: `/printing/printers/${s.printerId}/test`,
      method: 'POST',
      body: JSON.stringify({ testType: 'connectivity' }),
      headers: { authorization: `Bearer ${s.gw.creds.adminJwt}` },
      connections: Number(values.connections),
      durationMs,
      warmupMs,
    });
  for (const s of sides) await run(s, 3000, 1000);
  const byName = Object.fromEntries(sides.map((s) => [s.name, s]));
  for (let i = 0; i < pairs; i++) {
    for (const name of order(i)) {
      const s = byName[name];
      const meter = cpuMeter([s.gw.proc, s.responder, load]);
      const r = await run(s, Number(values.seconds) * 1000, 500);
      const cpu = meter.stop();
      const tests = r.rps * (Number(values.seconds) + 0.5);
      const us = (proc) => (cpu[proc].cpuSeconds * 1e6) / tests;
      const sample = {
        rps: r.rps,
        p50: r.latencyMs.p50,
        gateway: us(s.gw.proc.name),
        others: us(s.responder.name) + us('load'),
      };
      s.samples.push(sample);
      ctx.log(
        `${name} ${i + 1}: ${r.rps} req/s, p50 ${r.latencyMs.p50} ms; µs of CPU per test: gateway ${sample.gateway.toFixed(1)}, responder + load ${sample.others.toFixed(1)}`,
      );
    }
  }
  for (const s of sides) {
    const x = s.samples;
    ctx.log(
      `${s.name}: median ${median(x.map((v) => v.rps))} req/s, p50 ${median(x.map((v) => v.p50))} ms, gateway ${median(x.map((v) => v.gateway)).toFixed(1)} µs per test, ${median(x.map((v) => v.gateway / v.others)).toFixed(3)} × responder + load`,
    );
  }
}

async function handshake(sides) {
  for (const s of sides) s.licences = await fleetLicences({ ...s.gw, storeEnv: s.storeEnv }, 10);
  const byName = Object.fromEntries(sides.map((s) => [s.name, s]));
  let round = 0;
  for (let i = 0; i <= pairs; i++) {
    for (const name of order(i)) {
      const s = byName[name];
      const fleet = ctx.fork(`fleet-${round}`, 'fleet.mjs', { execArgv: ['--max-old-space-size=4096'] });
      const meter = cpuMeter([s.gw.proc]);
      const grown = await fleet.call('grow', {
        url: s.gw.url,
        total: Number(values.agents),
        licences: s.licences,
        prefix: `ab${round++}`,
      });
      await sleep(300);
      const cpu = meter.stop();
      await fleet.call('closeAll');
      await fleet.stop();
      await sleep(1500);
      const ms = (cpu[s.gw.proc.name].cpuSeconds * 1000) / Number(values.agents);
      if (i > 0) s.samples.push(ms);
      ctx.log(
        `${name} ${i}: ${grown.connected}/${grown.total} agents in ${grown.ms} ms; gateway ${ms.toFixed(3)} ms of CPU per agent${i === 0 ? ' (warm-up)' : ''}`,
      );
    }
  }
  for (const s of sides) {
    ctx.log(
      `${s.name}: median ${median(s.samples).toFixed(3)} ms of CPU per agent (${s.samples.map((v) => v.toFixed(2)).join(', ')})`,
    );
  }
}

try {
  const sides = [await startSide('before', values.before), await startSide('after', values.after)];
  await (values.measure === 'rpc' ? rpc(sides) : handshake(sides));
} finally {
  await ctx.stopAll();
}
