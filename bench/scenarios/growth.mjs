// Growth: the gateway's memory after --growth-jobs jobs (1,000,000) have passed through it, against a
// fresh process on the same store after the same warm-up. The durable path at the highest
// --connections (64), every job with an Idempotency-Key of its own, in segments of
// --growth-segment seconds; after the warm-up and after each segment, with no job in flight, the
// gateway's heap is read after two full collections through the inspector (it runs with --inspect
// on 127.0.0.1), with its RSS. Then the gateway stops, a new one starts on the same store (a process
// that has printed nothing), and the same warm-up and reading are done there. Anything kept per
// job, per idempotency key or per request without a bound shows as heap that grows with the jobs;
// the store's size is the same for both processes. The heap is what the comparison is about; the
// RSS is shown too, but on the embedded store it includes PGlite's memory, which grows to its peak
// and is never given back, and a heap read after an hour includes more compiled code than one after
// 30 s. The slope over the second half tells a bound that filled early from growth that goes on.

import { startGateway, startVirtualPrinter } from '../lib/gateway.mjs';
import { inspect, inspectorUrl } from '../lib/inspector.mjs';
import { round } from '../lib/proc.mjs';
import { freshGateway, startSubmitPath } from './common.mjs';

const MB = 1024 * 1024;
/** Seconds of the warm-up before the first reading, in both processes. */
const WARMUP_S = 30;
const INSPECT = ['--inspect=127.0.0.1:0'];

/** Our reading of issue 20's "nothing grows without bound": the heap after the jobs within this of a fresh process's. */
export const GROWTH_HEAP_RATIO = 1.15;

/** @param {import('../lib/context.mjs').Context} ctx */
export async function runGrowth(ctx) {
  const target = ctx.opts.growthJobs;
  const segmentS = ctx.opts.growthSegmentS;
  const concurrency = Math.max(...ctx.opts.connections);
  const out = {
    description: `the durable path at ${concurrency} submitters, every job with its own Idempotency-Key, until ${target} jobs have finished, in segments of ${segmentS} s; the gateway's heap after two full collections (inspector) and its RSS after a ${WARMUP_S} s warm-up and after each segment, then the same warm-up and reading in a new gateway process on the same store`,
    jobs: target,
    stores: {},
  };
  for (const store of ctx.opts.stores) {
    try {
      out.stores[store] = await growthOn(ctx, store, { target, segmentS, concurrency });
    } catch (err) {
      ctx.log(`growth: ${store} FAILED: ${err instanceof Error ? err.stack : err}`);
      out.stores[store] = { error: err instanceof Error ? err.message : String(err) };
    }
  }
  return out;
}

async function growthOn(ctx, store, { target, segmentS, concurrency }) {
  const vp = await startVirtualPrinter(ctx, `vprinter-growth-${store}`);
  const first = await freshGateway(ctx, store, `gateway-growth-${store}`, { nodeArgs: INSPECT });
  const result = { checkpoints: [] };
  let second;
  try {
    const path = await startPath(ctx, store, first, vp, 'long');
    const t0 = Date.now();
    let jobs = 0;
    let failed = 0;
    const segment = async (seconds) => {
      const level = await path.load.call('run', { concurrency, durationMs: seconds * 1000, warmupMs: 0 });
      const done = level.allCompleted + level.allOther;
      jobs += done;
      failed += level.rejected + level.timedOut;
      // A gateway that died or stalls finishes nothing: stop rather than loop until the target.
      if (done === 0 || first.proc.exited)
        throw new Error(`no job finished in a segment of ${seconds} s (${jobs} so far)`);
      return level;
    };
    await segment(WARMUP_S);
    result.checkpoints.push({ jobs, minutes: 0, ...(await path.measure()) });
    ctx.log(`growth: ${store}: after the warm-up (${jobs} jobs): ${describe(result.checkpoints.at(-1))}`);
    while (jobs < target) {
      const level = await segment(segmentS);
      const reading = await path.measure();
      result.checkpoints.push({
        jobs,
        minutes: round((Date.now() - t0) / 60_000, 1),
        jobsPerS: level.jobsPerS,
        ...reading,
      });
      ctx.log(`growth: ${store}: ${jobs} of ${target} jobs, ${level.jobsPerS} jobs/s: ${describe(reading)}`);
    }
    await path.stop();
    result.failed = failed;

    // The same store, a process that has printed nothing yet.
    second = await startGateway(ctx, {
      name: `gateway-growth-${store}-fresh`,
      storeEnv: first.storeEnv,
      env: first.env,
      creds: first.creds,
      nodeArgs: INSPECT,
    });
    const fresh = await startPath(ctx, store, { ...second, storeEnv: first.storeEnv }, vp, 'fresh');
    const warm = await fresh.load.call('run', { concurrency, durationMs: WARMUP_S * 1000, warmupMs: 0 });
    result.fresh = {
      jobs: warm.allCompleted + warm.allOther,
      failed: warm.rejected + warm.timedOut,
      ...(await fresh.measure()),
    };
    ctx.log(`growth: ${store}: a new process after the warm-up: ${describe(result.fresh)}`);
    await fresh.stop();

    const end = result.checkpoints.at(-1);
    const base = result.checkpoints[0];
    result.heapRatio = round(end.heapUsedMB / result.fresh.heapUsedMB, 2);
    result.rssRatio = round(end.rssMB / result.fresh.rssMB, 2);
    // The trend over the second half: what a million more jobs would add, if it went on.
    const half = result.checkpoints.filter((c) => c.jobs >= end.jobs / 2);
    const from = half[0] ?? base;
    result.heapMBPerMillionSecondHalf =
      end.jobs > from.jobs ? round(((end.heapUsedMB - from.heapUsedMB) / (end.jobs - from.jobs)) * 1e6, 1) : undefined;
    result.heapGrowthMB = round(end.heapUsedMB - base.heapUsedMB, 1);
    return result;
  } finally {
    await first.proc.stop('SIGTERM');
    await second?.proc.stop('SIGTERM');
    await vp.proc.stop('SIGTERM');
    await first.cleanup();
  }
}

/** The agent, the submitters and the inspector of one gateway process; `stop()` stops it with them. */
async function startPath(ctx, store, gw, vp, label) {
  const { agent, load, start } = await startSubmitPath(ctx, gw, vp, {
    name: `growth-${store}-${label}`,
    connections: Math.max(...ctx.opts.connections),
    idempotency: true,
  });
  await start();
  const inspector = await inspect(await inspectorUrl(gw.proc), gw.proc.pid);
  return {
    load,
    async measure() {
      const m = await inspector.measure();
      return {
        heapUsedMB: round(m.heapUsed / MB, 1),
        heapTotalMB: round(m.heapTotal / MB, 1),
        rssMB: round(m.rss / MB, 1),
      };
    },
    async stop() {
      inspector.close();
      await load.stop();
      await agent.proc.stop('SIGTERM');
      await gw.proc.stop('SIGTERM');
    },
  };
}

function describe(r) {
  return `heap ${r.heapUsedMB} MB (of ${r.heapTotalMB}), RSS ${r.rssMB} MB`;
}

export function growthTargets(s) {
  return Object.entries(s?.stores ?? {}).map(([store, r]) => ({
    name: `gateway memory after ${s.jobs} jobs against a new process (${store})`,
    required: `heap after full collections ≤ ${GROWTH_HEAP_RATIO} × a new process's on the same store (our reading of "nothing grows without bound")`,
    measured: r.heapRatio,
    met: r.error || r.heapRatio === undefined ? undefined : r.heapRatio <= GROWTH_HEAP_RATIO,
    detail: r.error
      ? `failed: ${r.error}`
      : `heap ${r.checkpoints.at(-1).heapUsedMB} MB after ${r.checkpoints.at(-1).jobs} jobs, ${r.fresh.heapUsedMB} MB in a new process; RSS ${r.checkpoints.at(-1).rssMB} against ${r.fresh.rssMB} MB; ${r.heapMBPerMillionSecondHalf ?? '–'} MB per million jobs over the second half; ${r.failed} jobs refused or timed out`,
  }));
}

/** The report's section. */
export function growthMarkdown(s) {
  const lines = ["## Growth: the gateway's memory as jobs pass through it", '', s.description, ''];
  for (const [store, r] of Object.entries(s.stores)) {
    if (r.error) {
      lines.push(`${store}: failed: ${r.error}`, '');
      continue;
    }
    lines.push(
      `### ${store}`,
      '',
      '| jobs | minutes | jobs/s (segment) | heap used MB | heap total MB | RSS MB |',
      '|---|---|---|---|---|---|',
    );
    for (const c of r.checkpoints)
      lines.push(
        `| ${c.jobs} | ${c.minutes} | ${c.jobsPerS ?? 'warm-up'} | ${c.heapUsedMB} | ${c.heapTotalMB} | ${c.rssMB} |`,
      );
    lines.push(
      `| new process, after the warm-up (${r.fresh.jobs} jobs) | | | ${r.fresh.heapUsedMB} | ${r.fresh.heapTotalMB} | ${r.fresh.rssMB} |`,
      '',
      `Heap after the jobs / new process: ${r.heapRatio} ×; RSS ${r.rssRatio} ×. Heap growth since the warm-up: ${r.heapGrowthMB} MB; over the second half, ${r.heapMBPerMillionSecondHalf ?? '–'} MB per million jobs. Jobs refused or timed out: ${r.failed}.`,
      '',
    );
  }
  return lines;
}
