// baseline: HTTP POST → Socket.IO emitWithAck to a client in another process → HTTP response.
// rpc: POST /printing/printers/:id/test through the gateway → a v2 agent answers.
// Same load generator, same request body, same concurrencies.
import { cpuMeter, processGroup } from '../lib/proc.mjs';
import { bareServer, freshGateway } from './common.mjs';

const BODY = JSON.stringify({ testType: 'connectivity' });

/** @param {import('../lib/context.mjs').Context} ctx */
async function measureLevels(ctx, { url, path, token, procs, connectionsList, label }) {
  const load = ctx.fork(`${label}-load`, 'http-load.mjs');
  const levels = [];
  try {
    for (const connections of connectionsList) {
      const meter = cpuMeter([...procs, load]);
      const r = await load.call('run', {
        url,
        path,
        method: 'POST',
        body: BODY,
        headers: { authorization: `Bearer ${token}` },
        connections,
        durationMs: ctx.opts.durationS * 1000,
        warmupMs: ctx.opts.warmupS * 1000,
      });
      r.cpu = meter.stop();
      ctx.log(
        `  ${label} c=${connections}: ${r.rps} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, errors ${r.errors}`,
      );
      levels.push(r);
    }
  } finally {
    await load.stop();
  }
  return levels;
}

/** @param {import('../lib/context.mjs').Context} ctx */
export async function runBaseline(ctx, connectionsList = ctx.opts.connections, { deflateReference = true } = {}) {
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
      description:
        'bare node:http + Socket.IO 4 server (library defaults: no per-message deflate); POST → emitWithAck to one client process → 200 JSON',
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
      description: `POST /printing/printers/:id/test (super_admin JWT) → gateway → v2 agent process answers printer:test:result → 200; ${store} store`,
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
