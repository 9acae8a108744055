// Where the time goes: the printer-test RPC and the durable print path (each
// store) at the highest concurrency, with the gateway (and the real agent)
// under --cpu-prof. Profiling slows the processes down: these runs are for
// the shape of the profile, not for the figures.
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyseProfile } from '../lib/profile.mjs';
import { runStore } from './durable.mjs';
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
    const base = join(outDir, file);
    const s = analyseProfile(latestProfile(dir), {
      folded: `${base}.folded`,
      svg: `${base}.svg`,
      title: label,
    });
    profiles.push({
      label,
      note,
      flameGraph: `profiles/${file}.svg`,
      folded: `profiles/${file}.folded`,
      totalMs: s.totalMs,
      busyPercent: s.busyPercent,
      byCategory: s.byCategory.slice(0, 15),
      top: s.top.slice(0, 25),
    });
    ctx.log(
      `  profile ${label}: busy ${s.busyPercent} %; top: ${s.top
        .slice(0, 5)
        .map((f) => `${f.name} (${f.percent} %)`)
        .join(', ')}`,
    );
  };

  ctx.log(`profile: printer-test RPC at ${top} connections (gateway under --cpu-prof)`);
  const rpcDir = join(raw, 'rpc');
  mkdirSync(rpcDir, { recursive: true });
  const rpc = await runRpc(ctx, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${rpcDir}`], connectionsList: [top] });
  summarise(
    `gateway, printer-test RPC, ${top} connections (${ctx.opts.rpcStore})`,
    'rpc-gateway',
    rpcDir,
    `${rpc.levels[0].rps} req/s while profiled.`,
  );

  for (const store of ctx.opts.stores) {
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
  return { description: 'gateway (and agent) under --cpu-prof at the highest concurrency', profiles };
}
