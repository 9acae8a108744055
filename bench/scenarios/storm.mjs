// Reconnect storm: N simulated agents connected, the gateway restarted
// (SIGTERM, graceful drain, then a new process on the same port and store).
// Meanwhile print jobs are submitted at a steady rate (each with an
// Idempotency-Key, retried until accepted) to the real agent, which is
// restarted-through too; afterwards every accepted job must be completed.
// The baseline, first and in the same run: the bare Socket.IO server with the
// same number of the same simulated agents, restarted the same way (SIGTERM,
// a new process on the same port), measured the same way.
import { getJson, startAgent, startGateway, startVirtualPrinter } from '../lib/gateway.mjs';
import { cpuMeter, round, sleep } from '../lib/proc.mjs';
import { percentile } from '../lib/stats.mjs';
import { bareServer, freshGateway, ticketBase64 } from './common.mjs';
import { fleetLicences, fleets } from './idle.mjs';

/** Whether the real agent is connected at the end (desktop-health lists connected agents). */
function summariseAgent(status) {
  if (status?.error) return { error: status.error };
  const real = (status?.healthMetrics ?? []).find((d) => String(d.deviceId).startsWith('agent-'));
  return real
    ? {
        connected: true,
        uptimeS: real.uptime,
        reconnectionCount: real.reconnectionCount,
        quality: real.connectionQuality,
      }
    : { connected: false };
}

/** Sums count maps ({reason: n}) from the fleet processes. */
function mergeCounts(maps) {
  const out = {};
  for (const m of maps) for (const [k, v] of Object.entries(m ?? {})) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** How many agents came back in each second after `from` (negative seconds: before it). */
function perSecond(times, from) {
  const out = {};
  for (const t of times) {
    const s = Math.floor((t - from) / 1000);
    out[s] = (out[s] ?? 0) + 1;
  }
  return out;
}

/**
 * Lets the connected fleet settle, marks "from now on counts as back", then stops `proc`
 * with SIGTERM: when it was signalled and when it exited, and the CPU it spent stopping.
 */
async function markAndStop(fleet, proc) {
  await sleep(2000);
  await fleet.call('mark');
  const stopAt = Date.now();
  const meter = cpuMeter([proc]);
  await proc.stop('SIGTERM', 30_000);
  return { stopAt, exitedAt: Date.now(), stopCpu: meter.stop() };
}

/**
 * Waits until every agent of `fleet` is back (or the storm timeout) after a restart,
 * and measures it: times from the new server's readiness and from the SIGTERM,
 * agents never back, why connects failed, CPU of the new server and the fleet.
 */
async function measureReturn(ctx, fleet, { n, connectedBefore, stopAt, exitedAt, readyAt, procs, stopCpu, server }) {
  const meter = cpuMeter([...procs, ...fleet.procs]);
  const deadline = Date.now() + ctx.opts.stormTimeoutS * 1000;
  for (;;) {
    const parts = await fleet.call('status');
    const back = parts.reduce((s, p) => s + p.back, 0);
    if (back >= parts.reduce((s, p) => s + p.total, 0) || Date.now() > deadline) break;
    await sleep(100);
  }
  const cpu = meter.stop();
  const parts = await fleet.call('status', { withTimes: true });
  const times = parts.flatMap((p) => p.times).sort((a, b) => a - b);
  const total = parts.reduce((s, p) => s + p.total, 0);
  const at = (q) => {
    const k = Math.ceil((q / 100) * total);
    return times.length >= k && k > 0 ? times[k - 1] : undefined;
  };
  const fromReady = (t) => (t === undefined ? undefined : round((t - readyAt) / 1000, 2));
  const fromStop = (t) => (t === undefined ? undefined : round((t - stopAt) / 1000, 2));
  return {
    agents: total,
    requested: n,
    gateway: server,
    connectedBefore,
    shutdownS: round((exitedAt - stopAt) / 1000, 2),
    startupS: round((readyAt - exitedAt) / 1000, 2),
    downtimeS: round((readyAt - stopAt) / 1000, 2),
    backFromReadyS: { p50: fromReady(at(50)), p95: fromReady(at(95)), p100: fromReady(at(100)) },
    backFromStopS: { p50: fromStop(at(50)), p95: fromStop(at(95)), p100: fromStop(at(100)) },
    back: times.length,
    neverBack: total - times.length,
    connectErrors: parts.reduce((s, p) => s + p.connectErrors, 0),
    connectErrorReasons: mergeCounts(parts.map((p) => p.errorReasons)),
    disconnectReasons: mergeCounts(parts.map((p) => p.disconnectReasons)),
    backPerSecondFromReady: perSecond(times, readyAt),
    cpu: { ...stopCpu, ...cpu },
    firstBackFromReadyS: fromReady(times[0]),
    medianOfTimes: times.length ? fromReady(percentile(times, 50)) : undefined,
  };
}

/**
 * The storm's baseline: the bare Socket.IO server (no application logic, no store)
 * with N of the same simulated agents, stopped with SIGTERM (it has no drain: its
 * sockets close as the process exits) and started again on the same port. The same
 * backoff, fleet processes and measurement as the gateway's storm.
 * @param {import('../lib/context.mjs').Context} ctx
 */
async function runBareStorm(ctx, sizes) {
  ctx.log(`storm baseline: bare Socket.IO restart with ${sizes.join(', ')} agents connected`);
  let bare = await bareServer(ctx, 'bare-storm');
  const fleet = fleets(ctx, 'storm-bare', Math.max(...sizes));
  // The bare server checks no licence; the agents' auth is the same shape as the gateway's.
  const licences = [{ licenseKey: '00000000-0000-4000-8000-000000000000', branchId: 'bare' }];
  const rounds = [];
  try {
    for (const n of sizes) {
      const grown = await fleet.grow(bare.url, n, licences);
      ctx.log(
        `  bare storm ${n}: ${grown.connected}/${grown.total} connected in ${grown.ms} ms; restarting the server`,
      );
      const { stopAt, exitedAt, stopCpu } = await markAndStop(fleet, bare.proc);
      const name = `bare-storm-r${rounds.length + 1}`;
      const next = await bareServer(ctx, name, { env: { PORT: String(bare.port) } });
      const r = await measureReturn(ctx, fleet, {
        n,
        connectedBefore: grown.connected,
        stopAt,
        exitedAt,
        readyAt: Date.now(),
        procs: [next.proc],
        stopCpu,
        server: name,
      });
      bare = next;
      ctx.log(
        `  bare storm ${n}: down ${r.downtimeS} s; back (from ready) p50 ${r.backFromReadyS.p50} s, p95 ${r.backFromReadyS.p95} s, 100% ${r.backFromReadyS.p100 ?? 'never'} s; never back ${r.neverBack}`,
      );
      rounds.push(r);
    }
  } finally {
    await fleet.stop();
    await bare.proc.stop('SIGTERM');
  }
  return rounds;
}

/** @param {import('../lib/context.mjs').Context} ctx */
export async function runStorm(ctx, sizes = ctx.opts.storm) {
  const bareRounds = await runBareStorm(ctx, sizes);
  const store = ctx.opts.stormStore;
  ctx.log(`storm: gateway restart with ${sizes.join(', ')} agents connected (${store} store)`);
  const vp = await startVirtualPrinter(ctx, 'vprinter-storm');
  let gw = await freshGateway(ctx, store, 'gateway-storm');
  const first = gw;
  const licences = await fleetLicences(gw, ctx.opts.quick ? 2 : 10);
  const agent = await startAgent(ctx, {
    name: 'agent-storm',
    url: gw.url,
    licenseKey: gw.creds.licenseKey,
    printerNames: ['storm-1', 'storm-2'],
    printerPort: vp.port,
    journalDir: ctx.agentJournal('agent-journal-storm'),
    adminJwt: gw.creds.adminJwt,
  });
  const submitter = ctx.fork('storm-submitter', 'durable-load.mjs');
  const fleet = fleets(ctx, 'storm', Math.max(...sizes));
  const rounds = [];
  let jobs;
  try {
    await submitter.call('start', {
      url: gw.url,
      token: gw.creds.adminJwt,
      printerIds: agent.printers.map((p) => p.id),
      contentBase64: ticketBase64(),
    });
    const ticketsBefore = (await vp.status()).ticketCount ?? 0;
    await submitter.call('trickleStart', { ratePerS: 20 });
    for (const n of sizes) {
      const grown = await fleet.grow(gw.url, n, licences);
      ctx.log(`  storm ${n}: ${grown.connected}/${grown.total} connected in ${grown.ms} ms; restarting the gateway`);
      const { stopAt, exitedAt, stopCpu } = await markAndStop(fleet, gw.proc);
      const next = await startGateway(ctx, {
        name: `gateway-storm-r${rounds.length + 1}`,
        port: gw.port,
        storeEnv: gw.storeEnv,
        env: gw.env,
        creds: gw.creds,
      });
      gw = { ...gw, ...next };
      const r = await measureReturn(ctx, fleet, {
        n,
        connectedBefore: grown.connected,
        stopAt,
        exitedAt,
        readyAt: next.readyAt,
        procs: [gw.proc],
        stopCpu,
        server: next.proc.name,
      });
      ctx.log(
        `  storm ${n}: down ${r.downtimeS} s; back (from ready) p50 ${r.backFromReadyS.p50} s, p95 ${r.backFromReadyS.p95} s, 100% ${r.backFromReadyS.p100 ?? 'never'} s; never back ${r.neverBack}`,
      );
      rounds.push(r);
    }
    const trickle = await submitter.call('trickleStop');
    // The submitter's own HTTP agent reconnects by itself; wait for every accepted job to end.
    const check = await submitter.call('trickleCheck', { waitMs: 180_000, stallMs: 45_000 });
    const agentStatus = await getJson(
      gw.url,
      `/printing/desktop-health?branchId=${gw.creds.branchId}`,
      gw.creds.adminJwt,
    ).catch((e) => ({
      error: e.message,
    }));
    await sleep(500);
    const ticketsPrinted = ((await vp.status()).ticketCount ?? 0) - ticketsBefore;
    const completed = check.states.completed ?? 0;
    jobs = {
      accepted: check.accepted,
      states: check.states,
      completed,
      lost: check.accepted - completed,
      ticketsPrinted,
      duplicates: Math.max(0, ticketsPrinted - completed),
      submitAttempts: trickle.attempts,
      submitRetries: trickle.retries,
      gaveUp: trickle.gaveUp,
      waitedS: check.waitedS,
      openOverTime: check.progress.filter(
        (_, i, a) => i % Math.max(1, Math.floor(a.length / 20)) === 0 || i === a.length - 1,
      ),
      realAgentAtEnd: summariseAgent(agentStatus),
    };
    ctx.log(
      `  storm jobs: ${jobs.accepted} accepted, ${jobs.completed} completed, ${jobs.lost} not completed, ${ticketsPrinted} tickets printed`,
    );
  } finally {
    await submitter.stop();
    await fleet.stop();
    await agent.proc.stop('SIGTERM');
    await gw.proc.stop('SIGTERM');
    await vp.proc.stop('SIGTERM');
    await first.cleanup();
  }
  // What each restarted gateway logged at warn level and above, by message.
  for (const r of rounds) r.warnings = ctx.logSummary(r.gateway);
  return {
    description:
      'N simulated v2 agents (real handshake and backoff: 1 s doubling to 30 s, ±50 % jitter) plus the real agent; gateway SIGTERM (graceful drain) then restarted on the same port and store; jobs submitted at 20/s throughout',
    baselineDescription:
      'bare Socket.IO server (bench/procs/bare-server.mjs: no licence check, no store, no drain) with the same simulated agents, SIGTERM then a new process on the same port',
    store,
    rounds,
    bare: bareRounds,
    // The gateway's times over the bare server's, per size: the part of the storm that is the gateway's own.
    comparison: rounds.map((r) => {
      const b = bareRounds.find((x) => x.requested === r.requested);
      const over = (k) =>
        b?.backFromReadyS[k] && r.backFromReadyS[k] !== undefined
          ? round(r.backFromReadyS[k] / b.backFromReadyS[k], 2)
          : undefined;
      return { agents: r.agents, p50Ratio: over('p50'), p95Ratio: over('p95'), p100Ratio: over('p100') };
    }),
    jobs,
  };
}
