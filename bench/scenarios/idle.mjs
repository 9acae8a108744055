// Idle agents: memory per connected agent, gateway vs a bare Socket.IO server
// with the same engine options. The server runs with --inspect on 127.0.0.1 so
// the harness can force full GCs before reading its heap; RSS comes from /proc.
// Agents are simulated (fleet processes) with the real agent's handshake.
import { createBranch } from '../lib/gateway.mjs';
import { inspect, inspectorUrl } from '../lib/inspector.mjs';
import { cpuMeter, round, sleep } from '../lib/proc.mjs';
import { bareServer, freshGateway, ratio } from './common.mjs';

export const FLEET_SIZE = 5000;

/**
 * Licences the simulated agents use: `count` new branches of the gateway's
 * company (parallel admin calls). Never the bootstrap branch, where the real
 * agent's printers are: the gateway may hand a queued job to any v2 agent of
 * a branch while the printer's own agent is away.
 */
export async function fleetLicences(gw, count) {
  const licences = [];
  const names = Array.from({ length: count }, (_, i) => `bench-fleet-${i + 1}`);
  for (let i = 0; i < names.length; i += 4) {
    const batch = await Promise.all(names.slice(i, i + 4).map((n) => createBranch(gw.storeEnv, gw.creds.companyId, n)));
    licences.push(...batch.map((b) => ({ licenseKey: b.licenseKey, branchId: b.branchId })));
  }
  return licences;
}

/** Fleet processes (one per FLEET_SIZE agents) growing together to `total`. */
export function fleets(ctx, label, max) {
  const n = Math.max(1, Math.ceil(max / FLEET_SIZE));
  const procs = Array.from({ length: n }, (_, i) =>
    ctx.fork(`${label}-fleet-${i}`, 'fleet.mjs', { execArgv: ['--max-old-space-size=4096'] }),
  );
  return {
    procs,
    async grow(url, total, licences, hello = true) {
      const per = procs.map((_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));
      const rs = await Promise.all(
        procs.map((p, i) => p.call('grow', { url, total: per[i], licences, prefix: `${label}${i}`, hello })),
      );
      return {
        total: rs.reduce((s, r) => s + r.total, 0),
        connected: rs.reduce((s, r) => s + r.connected, 0),
        ms: Math.max(...rs.map((r) => r.ms)),
      };
    },
    async call(cmd, params) {
      return Promise.all(procs.map((p) => p.call(cmd, params)));
    },
    async stop() {
      await Promise.all(procs.map((p) => p.stop()));
    },
  };
}

async function measureTarget(ctx, target, sizes) {
  const max = Math.max(...sizes);
  let server;
  let url;
  let licences;
  let gw;
  if (target === 'gateway') {
    gw = await freshGateway(ctx, 'embedded', 'gateway-idle', { nodeArgs: ['--inspect=127.0.0.1:0'] });
    server = gw.proc;
    url = gw.url;
    licences = await fleetLicences(gw, ctx.opts.quick ? 2 : 10);
  } else {
    const env = target === 'bare-deflate' ? { BARE_DEFLATE: '1' } : {};
    const bare = await bareServer(ctx, `${target}-idle`, { execArgv: ['--inspect=127.0.0.1:0'], env });
    server = bare.proc;
    url = bare.url;
    licences = [{ licenseKey: '00000000-0000-4000-8000-000000000000', branchId: 'bare' }];
  }
  const inspector = await inspect(await inspectorUrl(server), server.pid);
  const fleet = fleets(ctx, `idle-${target}`, max);
  try {
    await sleep(1000);
    const base = await inspector.measure();
    const points = [];
    for (const n of sizes) {
      const grown = await fleet.grow(url, n, licences);
      await sleep(3000);
      const meter = cpuMeter([server]);
      await sleep(2000);
      const cpu = meter.stop();
      const m = await inspector.measure();
      const point = {
        agents: n,
        connected: grown.connected,
        connectMs: grown.ms,
        rssMiB: round(m.rss / 2 ** 20, 1),
        heapUsedMiB: round(m.heapUsed / 2 ** 20, 1),
        rssPerAgentKiB: round((m.rss - base.rss) / 1024 / n, 1),
        heapPerAgentKiB: round((m.heapUsed - base.heapUsed) / 1024 / n, 1),
        idleCpuPercent: cpu[server.name].cpuPercent,
      };
      ctx.log(
        `  idle ${target} ${n}: ${point.connected} connected in ${point.connectMs} ms; RSS ${point.rssMiB} MiB (${point.rssPerAgentKiB} KiB/agent), heap ${point.heapUsedMiB} MiB (${point.heapPerAgentKiB} KiB/agent)`,
      );
      points.push(point);
    }
    return {
      base: { rssMiB: round(base.rss / 2 ** 20, 1), heapUsedMiB: round(base.heapUsed / 2 ** 20, 1) },
      points,
      licences: licences.length,
    };
  } finally {
    inspector.close();
    await fleet.stop();
    await server.stop('SIGTERM');
    await gw?.cleanup();
  }
}

/** @param {import('../lib/context.mjs').Context} ctx */
export async function runIdle(ctx, sizes = ctx.opts.idle) {
  ctx.log(
    `idle: memory per connected agent at ${sizes.join(', ')} (bare Socket.IO, bare with per-message deflate, gateway)`,
  );
  const bare = await measureTarget(ctx, 'bare', sizes);
  const bareDeflate = await measureTarget(ctx, 'bare-deflate', sizes);
  const gateway = await measureTarget(ctx, 'gateway', sizes);
  const comparison = sizes.map((n) => {
    const b = bare.points.find((p) => p.agents === n);
    const g = gateway.points.find((p) => p.agents === n);
    const bd = bareDeflate.points.find((p) => p.agents === n);
    return {
      agents: n,
      rssRatio: ratio(g?.rssPerAgentKiB, b?.rssPerAgentKiB),
      heapRatio: ratio(g?.heapPerAgentKiB, b?.heapPerAgentKiB),
      rssRatioVsSameEngineOptions: ratio(g?.rssPerAgentKiB, bd?.rssPerAgentKiB),
      heapRatioVsSameEngineOptions: ratio(g?.heapPerAgentKiB, bd?.heapPerAgentKiB),
    };
  });
  return {
    description:
      'simulated v2 agents (websocket transport, real handshake, join:branch + desktop:status on connect), kept idle; memory after two forced full GCs, minus the same process before any agent. "bare" is Socket.IO with its defaults (no per-message deflate); "bare + deflate" adds perMessageDeflate {threshold: 1024} with ws\'s defaults (context takeover: zlib state kept per connection), the gateway\'s setting before decision 0004; the gateway now deflates without context takeover',
    bare,
    bareDeflate,
    gateway,
    comparison,
  };
}
