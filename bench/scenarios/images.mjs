// Images: /health/live latency while the gateway renders the largest ticket
// documents its limits allow (four 2000 × 2000 PNGs, 16 million pixels), and
// while it refuses the issue's repro (eight 4000 × 4000 PNGs). A probe process
// asks /health/live over one keep-alive connection, one request after the
// other; job submitters post documents on `images` connections meanwhile.
import { loadavg } from 'node:os';
import { admin } from '../lib/gateway.mjs';
import { stripedPngBase64 } from '../lib/png.mjs';
import { cpuMeter, round } from '../lib/proc.mjs';
import { freshGateway } from './common.mjs';

/** The issue's requirement: the live probe answers within this while the largest jobs render. */
export const LIVE_TARGET_MS = 100;

/** @param {import('../lib/context.mjs').Context} ctx */
export async function runImages(ctx) {
  const gw = await freshGateway(ctx, 'embedded', 'images');
  const { creds } = gw;
  const cashier = (
    await admin(gw.storeEnv, ['token', '--role', 'cashier', '--company', creds.companyId, '--branch', creds.branchId])
  ).token;
  const res = await fetch(`${gw.url}/printing/printers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${creds.adminJwt}`, 'content-type': 'application/json' },
    body: JSON.stringify({ branchId: creds.branchId, name: 'bench-images', ip: '127.0.0.1', port: 9100 }),
  });
  const printer = await res.json();
  if (!res.ok) throw new Error(`creating the printer: ${res.status} ${JSON.stringify(printer).slice(0, 200)}`);
  const printerId = printer.printer.id;

  const documentOf = (count, side) => {
    const png = stripedPngBase64(side, side);
    return {
      blocks: [
        { type: 'text', text: 'Bench images' },
        ...Array.from({ length: count }, () => ({ type: 'image', png })),
      ],
    };
  };
  const bodies = {
    largest: JSON.stringify({ printerId, document: documentOf(4, 2000) }),
    repro: JSON.stringify({ printerId, document: documentOf(8, 4000) }),
  };
  const jobLoad = (body, connections) => ({
    url: gw.url,
    method: 'POST',
    path: '/printing/jobs',
    headers: { authorization: `Bearer ${cashier}` },
    body,
    connections,
    durationMs: ctx.opts.durationS * 1000,
    warmupMs: ctx.opts.warmupS * 1000,
    timeoutMs: 120_000,
  });
  const probeLoad = () => ({
    url: gw.url,
    method: 'GET',
    path: '/health/live',
    connections: 1,
    durationMs: ctx.opts.durationS * 1000,
    warmupMs: ctx.opts.warmupS * 1000,
  });

  const probe = ctx.fork('images-probe', 'http-load.mjs');
  const jobs = ctx.fork('images-jobs', 'http-load.mjs');
  const connections = ctx.opts.imageConnections;
  // prom-client resets its event-loop delay histogram at every scrape: one scrape before a phase and
  // one after give the longest stall of the gateway's own loop during it, apart from the probe's view.
  const loopMaxMs = async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('printermaster_nodejs_eventloop_lag_max_seconds '));
    return line ? round(Number(line.split(' ')[1]) * 1000, 1) : undefined;
  };
  const phase = async (label, body) => {
    ctx.log(`images: ${label}${body ? ` (${connections} connections)` : ''}`);
    await loopMaxMs();
    const meter = cpuMeter([gw.proc]);
    const [live, submitted] = await Promise.all([
      probe.call('run', probeLoad()),
      body ? jobs.call('run', jobLoad(body, connections)) : undefined,
    ]);
    const cpu = meter.stop();
    return {
      liveMs: live.latencyMs,
      eventLoopMaxMs: await loopMaxMs(),
      // Other processes on the machine stall the gateway too: the figures mean little above 2.
      loadAverage1m: round(loadavg()[0], 2),
      liveErrors: live.errors,
      ...(submitted
        ? {
            jobs: {
              statuses: submitted.statuses,
              perS: round((submitted.ok || submitted.requests) / submitted.durationS, 2),
              latencyMs: submitted.latencyMs,
            },
          }
        : {}),
      gatewayCpuPercent: cpu.images?.cpuPercent,
    };
  };
  try {
    const idle = await phase('live probe alone');
    const largest = await phase('largest allowed jobs', bodies.largest);
    const repro = await phase('the repro (eight 4000×4000 images, refused)', bodies.repro);
    return {
      description: `/health/live over one connection, one request after the other, alone and while ${connections} connections submit documents: the largest the default limits allow (four 2000×2000 PNGs, ${round(bodies.largest.length / 1024, 0)} KiB of JSON) and the issue's repro (eight 4000×4000 PNGs, ${round(bodies.repro.length / 1024, 0)} KiB, refused with 413).`,
      renderThreads: gw.env.PRINTERMASTER_RENDER_THREADS ?? 'default',
      connections,
      idle,
      largest,
      repro,
    };
  } finally {
    await Promise.all([probe.stop(), jobs.stop()]);
    await gw.cleanup();
  }
}

/** The target row of the report. */
export function imagesTarget(s) {
  const max = s?.largest?.liveMs?.max;
  return {
    name: 'liveness while the largest allowed jobs render',
    required: `every /health/live answered within ${LIVE_TARGET_MS} ms`,
    measured: max,
    met: max === undefined ? undefined : max <= LIVE_TARGET_MS && s.largest.liveErrors === 0,
    detail:
      max === undefined
        ? 'not measured'
        : `max ${max} ms, p99 ${s.largest.liveMs.p99} ms over ${s.largest.liveMs.count} probes while ${s.connections} connections rendered ${s.largest.jobs.perS} jobs/s; the gateway's event-loop delay max ${s.largest.eventLoopMaxMs} ms (probe alone: max ${s.idle.liveMs.max} ms, event loop ${s.idle.eventLoopMaxMs} ms); load average ${s.largest.loadAverage1m}`,
  };
}

/** The report's section. */
export function imagesMarkdown(s) {
  const row = (label, r) =>
    `| ${label} | ${r.liveMs.count ?? 0} | ${r.liveMs.p50 ?? '–'} / ${r.liveMs.p99 ?? '–'} / ${r.liveMs.max ?? '–'} | ${r.eventLoopMaxMs ?? '–'} | ${
      r.jobs
        ? `${r.jobs.perS} (${Object.entries(r.jobs.statuses)
            .map(([k, v]) => `${v}× ${k}`)
            .join(', ')})`
        : '–'
    } | ${r.jobs?.latencyMs?.p50 ?? '–'} | ${r.gatewayCpuPercent ?? '–'} | ${r.loadAverage1m ?? '–'} |`;
  return [
    '## Images: liveness while documents render',
    '',
    s.description,
    '',
    '| phase | probes | /health/live p50 / p99 / max ms | gateway event-loop delay max ms | jobs/s (answers) | job p50 ms | CPU % gateway | load average |',
    '|---|---|---|---|---|---|---|---|',
    row('probe alone', s.idle),
    row('largest allowed jobs', s.largest),
    row('repro, refused', s.repro),
    '',
  ];
}
