// Where the time goes: the printer-test RPC and the durable print path (each
// store) at the highest concurrency, with the gateway (and the real agent)
// under --cpu-prof. Profiling slows the processes down: these runs are for
// the shape of the profile, not for the figures.
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyseProfile } from '../lib/profile.mjs';
import { freshGateway } from './common.mjs';
import { runStore } from './durable.mjs';
import { runFanout } from './fanout.mjs';
import { fleetLicences, fleets } from './idle.mjs';
import { runRpc } from './request-reply.mjs';

function latestProfile(dir) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile written in ${dir}`);
  return join(dir, files.sort().at(-1));
}

/** @param {import('../lib/context.mjs').Context} ctx */
export async function runProfile(ctx) {
  const top = Math.max(...ctx.opts.connections);
  const outDir = join(ctx.outDir, 'profiles');
  mkdirSync(outDir, { recursive: true });
  const raw = ctx.dir('profiles');
  const profiles = [];
  const summarise = (label, file, dir, note) => {
    // Folded stacks (input for any flame-graph tool) stay in the work directory: megabytes each.
    const s = analyseProfile(latestProfile(dir), {
      folded: join(raw, `${file}.folded`),
      svg: join(outDir, `${file}.svg`),
      title: label,
    });
    profiles.push({
      label,
      note,
      flameGraph: `profiles/${file}.svg`,
      totalMs: s.totalMs,
      busyPercent: s.busyPercent,
      byCategory: s.byCategory.slice(0, 15),
      top: s.top.slice(0, 25),
      ownInclusive: s.ownInclusive.slice(0, 15),
    });
    ctx.log(
      `  profile ${label}: busy ${s.busyPercent} %; top: ${s.top
        .slice(0, 5)
        .map((f) => `${f.name} (${f.percent} %)`)
        .join(', ')}`,
    );
  };

  const parts = new Set(ctx.opts.profileParts);
  for (const store of parts.has('rpc') ? ctx.opts.stores : []) {
    ctx.log(`profile: printer-test RPC at ${top} connections on ${store} (gateway under --cpu-prof)`);
    const rpcDir = join(raw, `rpc-${store}`);
    mkdirSync(rpcDir, { recursive: true });
    const rpc = await runRpc(ctx, {
      store,
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${rpcDir}`],
      connectionsList: [top],
    });
    const cpu = Object.entries(rpc.levels[0].cpu)
      .map(([k, v]) => `${k} ${v.cpuPercent} %`)
      .join(', ');
    summarise(
      `gateway, printer-test RPC, ${top} connections (${store})`,
      `rpc-${store}-gateway`,
      rpcDir,
      `${rpc.levels[0].rps} req/s, p50 ${rpc.levels[0].latencyMs.p50} ms while profiled; CPU: ${cpu}.`,
    );
  }

  for (const store of parts.has('durable') ? ctx.opts.stores : []) {
    ctx.log(`profile: durable print path on ${store} at ${top} submitters (gateway and agent under --cpu-prof)`);
    const gwDir = join(raw, `durable-${store}-gateway`);
    const agentDir = join(raw, `durable-${store}-agent`);
    mkdirSync(gwDir, { recursive: true });
    mkdirSync(agentDir, { recursive: true });
    const d = await runStore(ctx, store, {
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${gwDir}`],
      agentNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${agentDir}`],
      connectionsList: [top],
      label: '-prof',
    });
    const l = d.levels[0];
    const cpu = Object.entries(l.cpu)
      .map(([k, v]) => `${k} ${v.cpuPercent} %`)
      .join(', ');
    summarise(
      `gateway, durable print path, ${store}, ${top} submitters`,
      `durable-${store}-gateway`,
      gwDir,
      `${l.jobsPerS} jobs/s while profiled; CPU: ${cpu}.`,
    );
    summarise(
      `real agent, durable print path, ${store}, ${top} submitters`,
      `durable-${store}-agent`,
      agentDir,
      `The agent process of the same run.`,
    );
  }
  // Agent handshakes (what a reconnect storm is made of).
  if (parts.has('handshake')) {
    const n = ctx.opts.quick ? 500 : 2000;
    ctx.log(`profile: ${n} agents connecting to a gateway under --cpu-prof`);
    const hsDir = join(raw, 'handshake');
    mkdirSync(hsDir, { recursive: true });
    const gw = await freshGateway(ctx, ctx.opts.stormStore, 'gateway-handshake-prof', {
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${hsDir}`],
    });
    try {
      const licences = await fleetLicences(gw, 4);
      const fleet = fleets(ctx, 'handshake-prof', n);
      const grown = await fleet.grow(gw.url, n, licences);
      await fleet.stop();
      await gw.proc.stop('SIGTERM', 30_000);
      summarise(
        `gateway, ${n} agent handshakes (${ctx.opts.stormStore})`,
        'handshake-gateway',
        hsDir,
        `${grown.connected} agents connected in ${(grown.ms / 1000).toFixed(1)} s (${Math.round(grown.connected / (grown.ms / 1000))}/s) while profiled.`,
      );
    } finally {
      await gw.proc.stop('SIGTERM');
      await gw.cleanup();
    }
  }

  // Fan-out of printer status.
  if (parts.has('fanout')) {
    const fanDir = join(raw, 'fanout');
    mkdirSync(fanDir, { recursive: true });
    ctx.log('profile: status fan-out with the gateway under --cpu-prof');
    const f = await runFanout(ctx, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${fanDir}`], gatewayOnly: true });
    summarise(
      `gateway, status fan-out ${ctx.opts.statusRate}/s to ${ctx.opts.dashboards} dashboards`,
      'fanout-gateway',
      fanDir,
      `p50 ${f.gateway.latencyMs.p50} ms, p99 ${f.gateway.latencyMs.p99} ms while profiled.`,
    );
  }

  return { description: 'gateway (and agent) under --cpu-prof at the highest concurrency', profiles };
}
