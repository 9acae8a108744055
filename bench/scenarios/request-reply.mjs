// baseline: HTTP POST → Socket.IO emitWithAck to a client in another process → HTTP response.
// rpc: POST /printing/printers/:id/test through the gateway → a v2 agent answers.
// Same load generator, same request body, same concurrencies.
import { cpuMeter, processGroup } from '../lib/proc.mjs';
import { bareServer, freshGateway } from './common.mjs';

const BODY = JSON.stringify({ testType: 'connectivity' });
const RELAY_DESCRIPTION =
  'bare node:http + Socket.IO 4 server (library defaults: no per-message deflate); POST → emitWithAck to one client process → 200 JSON';
const rpcDescription = (store) =>
  `POST /printing/printers/:id/test (super_admin JWT) → gateway → v2 agent process answers printer:test:result → 200; ${store} store`;

/** The load generator's `run` arguments for one target. */
function loadRun({ url, path, token }, connections, durationMs, warmupMs) {
  return {
    url,
    path,
    method: 'POST',
    body: BODY,
    headers: { authorization: `Bearer ${token}` },
    connections,
    durationMs,
    warmupMs,
  };
}

/** One level: `connections` closed-loop clients against one target, with the CPU of its processes. */
async function measureLevel(ctx, load, target, connections, note = '') {
  const { procs, label } = target;
  const meter = cpuMeter([...procs, load]);
  const r = await load.call('run', loadRun(target, connections, ctx.opts.durationS * 1000, ctx.opts.warmupS * 1000));
  r.cpu = meter.stop();
  ctx.log(
    `  ${label} c=${connections}${note}: ${r.rps} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, errors ${r.errors}`,
  );
  return r;
}

/** @param {import('../lib/context.mjs').Context} ctx */
async function measureLevels(ctx, target) {
  const load = ctx.fork(`${target.label}-load`, 'http-load.mjs');
  const levels = [];
  try {
    for (const connections of target.connectionsList) levels.push(await measureLevel(ctx, load, target, connections));
  } finally {
    await load.stop();
  }
  return levels;
}

/** @param {import('../lib/context.mjs').Context} ctx */
export async function runBaseline(
  ctx,
  connectionsList = ctx.opts.connections,
  { deflateReference = true, deflateOnly = false } = {},
) {
  if (deflateOnly) {
    ctx.log('baseline reference: the relay with per-message deflate on, context takeover (ws defaults)');
    const ref = await relay(ctx, connectionsList, true);
    return { deflate: { description: `${ref.description}; perMessageDeflate {threshold: 1024}`, levels: ref.levels } };
  }
  ctx.log('baseline: bare HTTP → Socket.IO emitWithAck relay');
  const main = await relay(ctx, connectionsList, false);
  if (!deflateReference) return main;
  ctx.log('baseline reference: the same relay with per-message deflate on, context takeover (ws defaults)');
  const withDeflate = await relay(ctx, connectionsList, true);
  return {
    ...main,
    deflate: { description: `${main.description}; perMessageDeflate {threshold: 1024}`, levels: withDeflate.levels },
  };
}

async function relay(ctx, connectionsList, deflate) {
  const tag = deflate ? '-deflate' : '';
  const server = await bareServer(ctx, `relay-server${tag}`, { env: deflate ? { BARE_DEFLATE: '1' } : {} });
  const responder = ctx.fork(`relay-client${tag}`, 'responder.mjs');
  try {
    await responder.call('start', { url: server.url, mode: 'relay' });
    const levels = await measureLevels(ctx, {
      url: server.url,
      path: '/printing/printers/relay-printer/test',
      token: 'bench',
      procs: [server.proc, responder],
      connectionsList,
      label: `baseline${tag}`,
    });
    return {
      description: RELAY_DESCRIPTION,
      processes: { server: 'relay-server', agent: 'relay-client', load: 'baseline-load' },
      levels,
    };
  } finally {
    await Promise.all([responder.stop(), server.proc.stop()]);
  }
}

/** @param {import('../lib/context.mjs').Context} ctx */
export async function runRpc(
  ctx,
  { store = ctx.opts.rpcStore, nodeArgs = [], connectionsList = ctx.opts.connections } = {},
) {
  ctx.log(`rpc: printer test through the gateway (${store} store)`);
  const gw = await freshGateway(ctx, store, `gateway-rpc-${store}`, { nodeArgs });
  const responder = ctx.fork('rpc-agent', 'responder.mjs');
  try {
    const { printerId } = await responder.call('start', {
      url: gw.url,
      mode: 'gateway',
      licenseKey: gw.creds.licenseKey,
      branchId: gw.creds.branchId,
    });
    const levels = await measureLevels(ctx, {
      url: gw.url,
      path: `/printing/printers/${printerId}/test`,
      token: gw.creds.adminJwt,
      procs: [gw.proc, responder, ...(store === 'postgres' ? [processGroup('postgres-server', 'postgres')] : [])],
      connectionsList,
      label: 'rpc',
    });
    return {
      description: rpcDescription(store),
      store,
      processes: { server: gw.proc.name, agent: 'rpc-agent', load: 'rpc-load' },
      levels,
    };
  } finally {
    await responder.stop();
    await gw.proc.stop('SIGTERM');
    await gw.cleanup();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * The relay and the gateway's printer test measured in alternation: both stay up, and
 * each level runs `rounds` times on each side, relay and gateway back to back (the order
 * swapped every round). On a shared machine the relay's own rate moved by half between
 * runs a minute apart; ratios of runs seconds apart, and their median, hold far better.
 * Each side's level is its median-rate round; `paired` holds the median of the per-round
 * ratios, which the targets use.
 * @param {import('../lib/context.mjs').Context} ctx
 */
export async function runRelayAndRpc(ctx, { rounds = ctx.opts.rounds, store = ctx.opts.rpcStore } = {}) {
  ctx.log(`baseline and rpc in alternation: ${rounds} round(s) per level (rpc on the ${store} store)`);
  const server = await bareServer(ctx, 'relay-server', { env: {} });
  const relayClient = ctx.fork('relay-client', 'responder.mjs');
  const gw = await freshGateway(ctx, store, `gateway-rpc-${store}`);
  const agent = ctx.fork('rpc-agent', 'responder.mjs');
  const relayLoad = ctx.fork('baseline-load', 'http-load.mjs');
  const rpcLoad = ctx.fork('rpc-load', 'http-load.mjs');
  try {
    await relayClient.call('start', { url: server.url, mode: 'relay' });
    const { printerId } = await agent.call('start', {
      url: gw.url,
      mode: 'gateway',
      licenseKey: gw.creds.licenseKey,
      branchId: gw.creds.branchId,
    });
    const relay = {
      url: server.url,
      path: '/printing/printers/relay-printer/test',
      token: 'bench',
      procs: [server.proc, relayClient],
      label: 'baseline',
    };
    const rpc = {
      url: gw.url,
      path: `/printing/printers/${printerId}/test`,
      token: gw.creds.adminJwt,
      procs: [gw.proc, agent, ...(store === 'postgres' ? [processGroup('postgres-server', 'postgres')] : [])],
      label: 'rpc',
    };
    // Both processes are fresh: one unmeasured run each at the top concurrency lets the JIT
    // settle before the first (lowest) level, which would otherwise measure a cold gateway.
    const top = Math.max(...ctx.opts.connections);
    for (const [load, target] of [
      [relayLoad, relay],
      [rpcLoad, rpc],
    ]) {
      await load.call('run', loadRun(target, top, 1_000, Math.max(1, ctx.opts.warmupS) * 1000));
    }
    const relayLevels = [];
    const rpcLevels = [];
    for (const connections of ctx.opts.connections) {
      const pairs = [];
      for (let round = 0; round < rounds; round++) {
        const note = rounds > 1 ? ` (round ${round + 1}/${rounds})` : '';
        const pair = {};
        for (const side of round % 2 === 0 ? ['relay', 'rpc'] : ['rpc', 'relay']) {
          pair[side] =
            side === 'relay'
              ? await measureLevel(ctx, relayLoad, relay, connections, note)
              : await measureLevel(ctx, rpcLoad, rpc, connections, note);
        }
        pairs.push(pair);
      }
      const pick = (side) => {
        const byRate = [...pairs].sort((a, b) => a[side].rps - b[side].rps);
        return byRate[Math.floor((byRate.length - 1) / 2)][side];
      };
      const paired = {
        rounds,
        rpsRatio: median(pairs.map((p) => p.rpc.rps / p.relay.rps)),
        p50Ratio: median(pairs.map((p) => p.rpc.latencyMs.p50 / p.relay.latencyMs.p50)),
        perRound: pairs.map((p) => ({
          relayRps: p.relay.rps,
          rpcRps: p.rpc.rps,
          relayP50: p.relay.latencyMs.p50,
          rpcP50: p.rpc.latencyMs.p50,
          // CPU of the server process: per request it shows whether a slow round was a busy
          // server or a starved one.
          relayServerCpu: p.relay.cpu[server.proc.name]?.cpuPercent,
          rpcServerCpu: p.rpc.cpu[gw.proc.name]?.cpuPercent,
        })),
      };
      ctx.log(
        `  c=${connections}: median of ${rounds} paired ratios: throughput ${(paired.rpsRatio * 100).toFixed(0)} %, p50 ${paired.p50Ratio.toFixed(2)}×`,
      );
      relayLevels.push({ ...pick('relay'), paired });
      rpcLevels.push({ ...pick('rpc'), paired });
    }
    return {
      baseline: {
        description: RELAY_DESCRIPTION,
        processes: { server: 'relay-server', agent: 'relay-client', load: 'baseline-load' },
        interleavedWithRpc: rounds,
        levels: relayLevels,
      },
      rpc: {
        description: rpcDescription(store),
        store,
        processes: { server: gw.proc.name, agent: 'rpc-agent', load: 'rpc-load' },
        interleavedWithRelay: rounds,
        levels: rpcLevels,
      },
    };
  } finally {
    await Promise.all([relayLoad.stop(), rpcLoad.stop(), relayClient.stop(), agent.stop()]);
    await server.proc.stop();
    await gw.proc.stop('SIGTERM');
    await gw.cleanup();
  }
}
