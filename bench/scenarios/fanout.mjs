// Fan-out: printer status changes at a fixed rate (default 1000/s) from one
// simulated agent per branch, delivered to dashboard sockets (default 500,
// spread evenly over the branches, each seeing its own branch). Both the
// gateway and the bare baseline coalesce per branch over 100 ms.
import { createBranch } from '../lib/gateway.mjs';
import { cpuMeter, round, sleep } from '../lib/proc.mjs';
import { summarize } from '../lib/stats.mjs';
import { bareServer, freshGateway, ratio } from './common.mjs';

const BRANCHES = 5;
const PRINTERS_PER_BRANCH = 50;

async function measure(ctx, target, { url, branches, clientsFor }) {
  const publisher = ctx.fork(`fanout-${target}-publisher`, 'publisher.mjs');
  const dashProcs = [0, 1].map((i) => ctx.fork(`fanout-${target}-dashboards-${i}`, 'dashboards.mjs'));
  try {
    await publisher.call('start', { url, target, branches, printersPerBranch: PRINTERS_PER_BRANCH });
    const clients = clientsFor(ctx.opts.dashboards);
    await Promise.all(
      dashProcs.map((p, i) => p.call('start', { url, target, clients: clients.filter((_, k) => k % 2 === i) })),
    );
    await sleep(1000);
    await Promise.all(dashProcs.map((p) => p.call('record')));
    return { publisher, dashProcs, clients };
  } catch (err) {
    await Promise.all([publisher.stop(), ...dashProcs.map((p) => p.stop())]);
    throw err;
  }
}

async function drive(ctx, target, server, { publisher, dashProcs, clients }) {
  const meter = cpuMeter([server, publisher, ...dashProcs]);
  const sent = await publisher.call('run', { ratePerS: ctx.opts.statusRate, durationMs: ctx.opts.durationS * 1000 });
  const perBranch = clients.length / BRANCHES;
  const expected = sent.sent * perBranch;
  // Late deliveries still count: wait until every change has arrived or nothing has arrived for 2 s (at most 30 s).
  const drainStart = Date.now();
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    await sleep(250);
    const counts = await Promise.all(dashProcs.map((p) => p.call('count')));
    const n = counts.reduce((s, c) => s + c.entries, 0);
    if (n !== last) {
      last = n;
      stableSince = Date.now();
    }
    if (n >= expected || Date.now() - stableSince >= 2000 || Date.now() - drainStart > 30_000) break;
  }
  const drainS = round((Date.now() - drainStart) / 1000, 1);
  const cpu = meter.stop();
  const parts = await Promise.all(dashProcs.map((p) => p.call('result')));
  const entries = parts.reduce((s, p) => s + p.entries, 0);
  const r = {
    drainS,
    dashboards: clients.length,
    branches: BRANCHES,
    printers: BRANCHES * PRINTERS_PER_BRANCH,
    changesSent: sent.sent,
    changesPerS: round(sent.sent / sent.seconds, 1),
    deliveries: entries,
    expectedDeliveries: expected,
    deliveredRatio: round(entries / Math.max(1, expected), 4),
    messages: parts.reduce((s, p) => s + p.messages, 0),
    latencyMs: summarize(parts.flatMap((p) => p.sample)),
    cpu,
  };
  ctx.log(
    `  fanout ${target}: ${r.changesPerS} changes/s → ${r.deliveries}/${r.expectedDeliveries} deliveries, latency p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms`,
  );
  await Promise.all([publisher.stop(), ...dashProcs.map((p) => p.stop())]);
  return r;
}

/** @param {import('../lib/context.mjs').Context} ctx */
export async function runFanout(ctx, { nodeArgs = [], gatewayOnly = false } = {}) {
  ctx.log(`fanout: ${ctx.opts.statusRate} status changes/s to ${ctx.opts.dashboards} dashboards (bare, then gateway)`);
  // Bare baseline.
  const bare = gatewayOnly ? undefined : await bareServer(ctx, 'bare-fanout');
  let bareResult;
  if (bare)
    try {
      const branches = Array.from({ length: BRANCHES }, (_, i) => ({ branchId: `branch-${i}` }));
      const setup = await measure(ctx, 'bare', {
        url: bare.url,
        branches,
        clientsFor: (n) => Array.from({ length: n }, (_, i) => ({ branchId: branches[i % BRANCHES].branchId })),
      });
      bareResult = await drive(ctx, 'bare', bare.proc, setup);
    } finally {
      await bare.proc.stop();
    }
  // Gateway.
  const gw = await freshGateway(ctx, 'embedded', 'gateway-fanout', { nodeArgs });
  let gwResult;
  try {
    const branches = [];
    for (let i = 0; i < BRANCHES; i += 3) {
      const made = await Promise.all(
        Array.from({ length: Math.min(3, BRANCHES - i) }, (_, k) =>
          createBranch(gw.storeEnv, gw.creds.companyId, `bench-fanout-${i + k}`, {
            maxPrinters: PRINTERS_PER_BRANCH + 10,
            token: true,
          }),
        ),
      );
      branches.push(...made);
    }
    const setup = await measure(ctx, 'gateway', {
      url: gw.url,
      branches,
      clientsFor: (n) =>
        Array.from({ length: n }, (_, i) => ({
          branchId: branches[i % BRANCHES].branchId,
          token: branches[i % BRANCHES].token,
        })),
    });
    gwResult = await drive(ctx, 'gateway', gw.proc, setup);
  } finally {
    await gw.proc.stop();
    await gw.cleanup();
  }
  return {
    description: `${BRANCHES} branches × ${PRINTERS_PER_BRANCH} printers; one simulated agent per branch sends printer:status:update every 10 ms, statuses cycling offline → error → online; dashboards are cashier sockets of one branch each (bare: joined to the branch room); latency = receipt time − the lastSeen the agent stamped`,
    bare: bareResult,
    gateway: gwResult,
    p50Ratio: ratio(gwResult.latencyMs.p50, bareResult?.latencyMs.p50),
    p99Ratio: ratio(gwResult.latencyMs.p99, bareResult?.latencyMs.p99),
  };
}
