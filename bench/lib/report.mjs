// The report: targets evaluated against the baseline of the same run, a
// Markdown summary and a hand-built SVG bar chart.
import { exportMarkdown, exportTargets } from '../scenarios/export.mjs';
import { growthMarkdown, growthTargets } from '../scenarios/growth.mjs';
import { historyMarkdown, historyTargets } from '../scenarios/history.mjs';
import { imagesMarkdown, imagesTarget } from '../scenarios/images.mjs';

const fmt = (v, digits = 1) => (v === undefined || v === null || Number.isNaN(v) ? '–' : Number(v).toFixed(digits));
const pct = (v) => (v === undefined || v === null ? '–' : `${(v * 100).toFixed(v < 0.01 ? 2 : v < 0.1 ? 1 : 0)} %`);
const level = (s, c) => s?.levels?.find((l) => l.connections === c || l.concurrency === c);

/** The issue's targets, each {name, required, measured, met, detail}; met is undefined when not measured. */
export function evaluateTargets(results) {
  const s = results.scenarios;
  const conns = results.meta.options.connections ?? [1, 16, 64];
  const top = Math.max(...conns);
  const low = Math.min(...conns);
  const out = [];
  const relayTop = level(s.baseline, top);
  const relayLow = level(s.baseline, low);
  for (const [store, share] of [
    ['postgres', 0.5],
    ['embedded', 0.25],
  ]) {
    const d = level(s.durable?.stores?.[store], top);
    const r = d && relayTop ? d.jobsPerS / relayTop.rps : undefined;
    const floor = level(s.durable?.floor?.[store], top);
    const floorNote =
      floor && relayTop
        ? `; the floor (same path, same stack, no gateway code): ${fmt(floor.jobsPerS)} jobs/s = ${pct(floor.jobsPerS / relayTop.rps)} of the relay, the gateway ${pct(d.jobsPerS / floor.jobsPerS)} of the floor`
        : '';
    out.push({
      name: `durable print path, ${store}, ${top} connections`,
      required: `≥ ${share * 100} % of relay req/s`,
      measured: r,
      met: r === undefined ? undefined : r >= share,
      detail:
        r === undefined
          ? 'not measured'
          : `${fmt(d.jobsPerS)} jobs/s vs relay ${fmt(relayTop.rps)} req/s = ${pct(r)} (needs ${share * 100} %)${floorNote}`,
    });
  }
  const rpcLow = level(s.rpc, low);
  // Interleaved runs: the median of the per-round ratios (runRelayAndRpc).
  const pairedNote = (l) => (l?.paired ? `; median of ${l.paired.rounds} paired rounds` : '');
  const p50r = rpcLow?.paired
    ? rpcLow.paired.p50Ratio
    : rpcLow && relayLow
      ? rpcLow.latencyMs.p50 / relayLow.latencyMs.p50
      : undefined;
  out.push({
    name: `printer-test RPC p50, ${low} connection`,
    required: '≤ 1.3 × relay p50',
    measured: p50r,
    met: p50r === undefined ? undefined : p50r <= 1.3,
    detail:
      p50r === undefined
        ? 'not measured'
        : `${fmt(rpcLow.latencyMs.p50, 2)} ms vs relay ${fmt(relayLow.latencyMs.p50, 2)} ms = ${fmt(p50r, 2)}×${pairedNote(rpcLow)}`,
  });
  const rpcTop = level(s.rpc, top);
  const tr = rpcTop?.paired ? rpcTop.paired.rpsRatio : rpcTop && relayTop ? rpcTop.rps / relayTop.rps : undefined;
  out.push({
    name: `printer-test RPC throughput, ${top} connections`,
    required: '≥ 80 % of relay req/s',
    measured: tr,
    met: tr === undefined ? undefined : tr >= 0.8,
    detail:
      tr === undefined
        ? 'not measured'
        : `${fmt(rpcTop.rps)} vs relay ${fmt(relayTop.rps)} req/s = ${pct(tr)}${pairedNote(rpcTop)}`,
  });
  const idle = s.idle?.comparison;
  const idleTop = idle?.[idle.length - 1];
  out.push({
    name: `memory per idle agent, ${idleTop?.agents ?? '?'} agents`,
    required: '≤ 1.3 × bare Socket.IO (RSS)',
    measured: idleTop?.rssRatio,
    met: idleTop?.rssRatio === undefined ? undefined : idleTop.rssRatio <= 1.3,
    detail:
      idleTop?.rssRatio === undefined
        ? 'not measured'
        : `RSS ${fmt(s.idle.gateway.points.at(-1).rssPerAgentKiB)} vs ${fmt(s.idle.bare.points.at(-1).rssPerAgentKiB)} KiB/agent = ${fmt(idleTop.rssRatio, 2)}× (heap ${fmt(idleTop.heapRatio, 2)}×)`,
  });
  const rounds = s.storm?.rounds;
  const big = rounds?.[rounds.length - 1];
  const jobs = s.storm?.jobs;
  const bareBig = s.storm?.bare?.find((b) => b.requested === big?.requested);
  const stormMet =
    big === undefined
      ? undefined
      : big.backFromReadyS.p95 !== undefined && big.backFromReadyS.p95 <= 5 && big.neverBack === 0 && jobs?.lost === 0;
  out.push({
    name: `reconnect storm, ${big?.agents ?? '?'} agents`,
    required: 'p95 back ≤ 5 s, 100 % back, 0 jobs lost',
    measured: big?.backFromReadyS.p95,
    met: stormMet,
    detail:
      big === undefined
        ? 'not measured'
        : `p95 ${fmt(big.backFromReadyS.p95, 2)} s after the new gateway was ready (${fmt(big.backFromStopS.p95, 2)} s after SIGTERM), ${big.back}/${big.agents} back, ${jobs?.lost ?? '?'} of ${jobs?.accepted ?? '?'} jobs not completed${bareBig ? `; bare Socket.IO restarted with the same agents: p95 ${fmt(bareBig.backFromReadyS.p95, 2)} s (gateway ${fmt(s.storm.comparison?.at(-1)?.p95Ratio, 2)}×)` : ''}`,
  });
  out.push(imagesTarget(s.images));
  if (s.export) out.push(...exportTargets(s.export));
  if (s.history) out.push(...historyTargets(s.history));
  if (s.growth) out.push(...growthTargets(s.growth));
  return out;
}

function cpuCell(cpu, names) {
  if (!cpu) return '–';
  return names
    .map(([label, key]) => {
      const k = Object.keys(cpu).find((n) => n === key || n.startsWith(key));
      return k ? `${label}${label ? ' ' : ''}${fmt(cpu[k].cpuPercent, 0)}` : '–';
    })
    .join(' / ');
}

/** The Markdown report. */
export function renderMarkdown(results, { svgFile = 'latest.svg' } = {}) {
  const { meta, scenarios: s, targets } = results;
  const m = meta.machine;
  const lines = [];
  const p = (...l) => lines.push(...l);
  p(
    '# PrinterMaster benchmark results',
    '',
    `Run ${meta.startedAt} → ${meta.finishedAt} (${meta.wallS} s) on **${m.cpuModel}, ${m.cores} cores, ${m.totalMemoryGiB} GiB**, ${m.os}, Node ${m.node}. Load average at start: ${m.loadAverageAtStart.join(', ')}.`,
    `Options: ${meta.options.quick ? 'quick, ' : ''}${meta.options.durationS} s per level after ${meta.options.warmupS} s warm-up; connections ${meta.options.connections.join(', ')}${
      Object.keys(meta.options.gatewayEnv ?? {}).length
        ? `; gateway environment ${Object.entries(meta.options.gatewayEnv)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`
        : ''
    }.`,
    ...(m.loadAverageAtEnd ? [`Load average at the end: ${m.loadAverageAtEnd.join(', ')}.`] : []),
    ...(meta.git?.commit
      ? [
          `Code: commit ${meta.git.commit}${meta.git.packagesChanged ? ` with ${meta.git.packagesChanged} uncommitted file(s) under packages/ (built as they were)` : ''}.`,
        ]
      : []),
    ...meta.notes.map((n) => `- Note: ${n}`),
    '',
    `![gateway vs bare Socket.IO](${svgFile})`,
    '',
    '## Targets (ratios against the baseline of this run)',
    '',
    '| target | required | measured | |',
    '|---|---|---|---|',
    ...targets.map(
      (t) =>
        `| ${t.name} | ${t.required} | ${t.detail} | ${t.met === true ? 'met' : t.met === false ? '**not met**' : 'n/a'} |`,
    ),
    '',
  );
  if (s.baseline?.levels || s.rpc?.levels) {
    p(
      '## Request/reply: bare relay vs printer-test RPC',
      '',
      `Baseline: ${s.baseline?.description ?? '–'}. Gateway: ${s.rpc?.description ?? '–'}.`,
      '',
      '| connections | relay req/s | relay p50 / p99 ms | gateway req/s | gateway p50 / p99 ms | req/s ratio | p50 ratio | CPU % relay: server / agent / load / machine | CPU % gateway: server / agent / load / machine |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const c of meta.options.connections) {
      const b = level(s.baseline, c);
      const g = level(s.rpc, c);
      p(
        `| ${c} | ${fmt(b?.rps)} | ${fmt(b?.latencyMs.p50, 2)} / ${fmt(b?.latencyMs.p99, 2)} | ${fmt(g?.rps)} | ${fmt(g?.latencyMs.p50, 2)} / ${fmt(g?.latencyMs.p99, 2)} | ${g?.paired ? pct(g.paired.rpsRatio) : b && g ? pct(g.rps / b.rps) : '–'} | ${g?.paired ? `${fmt(g.paired.p50Ratio, 2)}×` : b && g ? `${fmt(g.latencyMs.p50 / b.latencyMs.p50, 2)}×` : '–'} | ${cpuCell(
          b?.cpu,
          [
            ['', 'relay-server'],
            ['', 'relay-client'],
            ['', 'baseline-load'],
            ['', 'machine'],
          ],
        )} | ${cpuCell(g?.cpu, [
          ['', 'gateway'],
          ['', 'rpc-agent'],
          ['', 'rpc-load'],
          ['', 'machine'],
        ])} |`,
      );
    }
    const paired = meta.options.connections.map((c) => level(s.rpc, c)).filter((l) => l?.paired);
    if (paired.length > 0) {
      p(
        '',
        `Relay and gateway measured in alternation, ${paired[0].paired.rounds} rounds per level (the order swapped each round). Each side's row above is its median-rate round; the ratios are the medians of the per-round ratios. Every round, req/s and p50 ms:`,
        '',
        '| connections | relay req/s | gateway req/s | ratio | relay p50 | gateway p50 | ratio | server CPU % relay / gateway | server CPU µs per request relay / gateway |',
        '|---|---|---|---|---|---|---|---|---|',
        ...paired.flatMap((l) =>
          l.paired.perRound.map(
            (r) =>
              `| ${l.connections} | ${fmt(r.relayRps)} | ${fmt(r.rpcRps)} | ${pct(r.rpcRps / r.relayRps)} | ${fmt(r.relayP50, 2)} | ${fmt(r.rpcP50, 2)} | ${fmt(r.rpcP50 / r.relayP50, 2)}× | ${fmt(r.relayServerCpu, 0)} / ${fmt(r.rpcServerCpu, 0)} | ${fmt((r.relayServerCpu * 1e4) / r.relayRps, 0)} / ${fmt((r.rpcServerCpu * 1e4) / r.rpcRps, 0)} |`,
          ),
        ),
      );
    }
    if (s.baseline?.deflate?.levels) {
      p(
        '',
        "Reference: the same bare relay with per-message deflate on with ws's defaults (`perMessageDeflate: {threshold: 1024}`: context takeover, so every message is compressed; the gateway's setting before decision 0004):",
        '',
        '| connections | relay + deflate req/s | p50 / p99 ms | vs plain relay req/s |',
        '|---|---|---|---|',
        ...s.baseline.deflate.levels.map((l) => {
          const b = level(s.baseline, l.connections);
          return `| ${l.connections} | ${fmt(l.rps)} | ${fmt(l.latencyMs.p50, 2)} / ${fmt(l.latencyMs.p99, 2)} | ${b ? pct(l.rps / b.rps) : '–'} |`;
        }),
      );
    }
    const errs = [...(s.baseline?.levels ?? []), ...(s.rpc?.levels ?? [])].reduce((n, l) => n + l.errors, 0);
    p('', `Errors (non-2xx or failed requests) across both: ${errs}.`, '');
  }
  if (s.durable?.stores) {
    p('## Durable print path', '', s.durable.description, '');
    p(
      '| store | submitters | jobs/s | vs relay req/s | created→completed p50 / p99 ms | submit→seen completed p50 / p99 ms | POST 202 p50 / p99 ms | not completed | jobs completed / tickets printed (whole level) | CPU % gateway / agent / printer / load / PostgreSQL / machine |',
      '|---|---|---|---|---|---|---|---|---|---|',
    );
    const durableRows = Object.entries(s.durable.stores).map(([store, d]) => [store, d, 'gateway']);
    for (const [store, d] of Object.entries(s.durable.floor ?? {})) durableRows.push([store, d, 'floor']);
    for (const [store, d, kind] of durableRows) {
      const label = kind === 'floor' ? `floor, ${store}` : store;
      if (d.error) {
        p(`| ${label} | error: ${d.error} |||||||||`);
        continue;
      }
      const names =
        kind === 'floor'
          ? [`durable-floor-${store}`, 'durable-floor-agent', 'vprinter-floor', 'durable-floor-load']
          : ['gateway', 'agent', 'vprinter', 'durable-load'];
      for (const l of d.levels ?? []) {
        const relay = level(s.baseline, l.concurrency);
        const nc =
          l.rejected + l.timedOut + Object.entries(l.states).reduce((n, [k, v]) => (k === 'completed' ? n : n + v), 0);
        p(
          `| ${label} | ${l.concurrency} | ${fmt(l.jobsPerS)} | ${relay ? pct(l.jobsPerS / relay.rps) : '–'} | ${fmt(l.createdToCompletedMs.p50)} / ${fmt(l.createdToCompletedMs.p99)} | ${fmt(l.e2eLatencyMs.p50)} / ${fmt(l.e2eLatencyMs.p99)} | ${fmt(l.acceptLatencyMs.p50)} / ${fmt(l.acceptLatencyMs.p99)} | ${nc} | ${l.allCompleted ?? '–'} / ${l.ticketsPrinted} | ${cpuCell(
            l.cpu,
            [...names.map((n) => ['', n]), ['', 'postgres-server'], ['', 'machine']],
          )} |`,
        );
      }
    }
    if (s.durable.floor) {
      p(
        '',
        `The floor: ${s.durable.floorDescription}. It is what any server on this stack keeping the same contract spends at least; the gateway's share of it is in the targets above.`,
      );
    }
    const stageRows = [];
    for (const [store, d] of Object.entries(s.durable.stores)) {
      for (const l of d.levels ?? []) {
        if (!l.stagesMs) continue;
        const st = (k) => l.stagesMs[k];
        const cell = (k) => (st(k) ? `${fmt(st(k).p50, 0)} / ${fmt(st(k).p90, 0)}` : '–');
        stageRows.push(
          `| ${store} | ${l.concurrency} | ${cell('queued→sent')} | ${cell('sent→accepted')} | ${cell('accepted→printing')} | ${cell('printing→completed')} |`,
        );
      }
    }
    if (stageRows.length) {
      p(
        '',
        'Where a job\'s time goes (job events of 40 completed jobs per level, gateway clock; "printing" is recorded when the agent\'s print:job:started report reaches the gateway), p50 / p90 ms:',
        '',
        '| store | submitters | queued→sent | sent→accepted | accepted→printing | printing→completed |',
        '|---|---|---|---|---|---|',
        ...stageRows,
      );
    }
    for (const [store, d] of Object.entries(s.durable.stores)) {
      if (!d.dbWork) continue;
      const w = d.dbWork.perJob;
      p(
        '',
        `PostgreSQL work per job (${store}, ${d.dbWork.jobs} jobs, setup included): ${w.rowsInserted} rows inserted, ${w.rowsUpdated} updated, ${w.rowsDeleted} deleted, ${w.indexScans} index scans, ${w.seqScans} sequential scans. By table: ${Object.entries(
          d.dbWork.tables,
        )
          .map(([t, v]) => `${t} ${v.ins}i/${v.upd}u/${v.idxScans}ix/${v.seqScans}seq`)
          .join(', ')}.`,
      );
    }
    p('');
  }
  if (s.idle?.comparison) {
    const i = s.idle;
    p('## Idle agents: memory per connected agent', '', i.description, '');
    p(
      `Before any agent: bare ${fmt(i.bare.base.rssMiB)} MiB RSS / ${fmt(i.bare.base.heapUsedMiB)} MiB heap; gateway ${fmt(i.gateway.base.rssMiB)} MiB RSS / ${fmt(i.gateway.base.heapUsedMiB)} MiB heap (agents spread over ${i.gateway.licences} branches).`,
      '',
      '| agents | RSS KiB/agent: bare / bare + deflate / gateway | gateway ÷ bare (RSS) | gateway ÷ bare + deflate (RSS) | heap KiB/agent: bare / bare + deflate / gateway | gateway ÷ bare (heap) | connect time s: bare / gateway | idle CPU %: bare / gateway |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const c of i.comparison) {
      const b = i.bare.points.find((x) => x.agents === c.agents);
      const bd = i.bareDeflate?.points.find((x) => x.agents === c.agents);
      const g = i.gateway.points.find((x) => x.agents === c.agents);
      p(
        `| ${c.agents} | ${fmt(b?.rssPerAgentKiB)} / ${fmt(bd?.rssPerAgentKiB)} / ${fmt(g?.rssPerAgentKiB)} | ${fmt(c.rssRatio, 2)}× | ${fmt(c.rssRatioVsSameEngineOptions, 2)}× | ${fmt(b?.heapPerAgentKiB)} / ${fmt(bd?.heapPerAgentKiB)} / ${fmt(g?.heapPerAgentKiB)} | ${fmt(c.heapRatio, 2)}× | ${fmt(b?.connectMs / 1000)} / ${fmt(g?.connectMs / 1000)} | ${fmt(b?.idleCpuPercent)} / ${fmt(g?.idleCpuPercent)} |`,
      );
    }
    p('');
  }
  if (s.storm?.rounds) {
    p('## Reconnect storm', '', `${s.storm.description}; ${s.storm.store} store.`, '');
    if (s.storm.bare) p(`Baseline, same run: ${s.storm.baselineDescription}.`, '');
    p(
      '| server | agents | shutdown s | start-up s | back p50 / p95 / 100 % (s after ready) | same, after SIGTERM | never back | connect errors | new server: CPU s (ms per agent), % of a core |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    const stormRow = (label, r) => {
      const c = r.cpu?.[r.gateway];
      p(
        `| ${label} | ${r.agents} | ${fmt(r.shutdownS, 2)} | ${fmt(r.startupS, 2)} | ${fmt(r.backFromReadyS.p50, 2)} / ${fmt(r.backFromReadyS.p95, 2)} / ${fmt(r.backFromReadyS.p100, 2)} | ${fmt(r.backFromStopS.p50, 2)} / ${fmt(r.backFromStopS.p95, 2)} / ${fmt(r.backFromStopS.p100, 2)} | ${r.neverBack} | ${r.connectErrors} | ${fmt(c?.cpuSeconds, 1)} (${fmt(c && (c.cpuSeconds * 1000) / r.agents, 2)}), ${fmt(c?.cpuPercent, 0)} |`,
      );
    };
    for (const r of s.storm.rounds) {
      const b = s.storm.bare?.find((x) => x.requested === r.requested);
      if (b) stormRow('bare Socket.IO', b);
      stormRow('gateway', r);
    }
    for (const c of s.storm.comparison ?? []) {
      if (c.p95Ratio !== undefined) {
        p(
          '',
          `${c.agents} agents: the gateway's p50 / p95 / 100 % after ready are ${fmt(c.p50Ratio, 2)} / ${fmt(c.p95Ratio, 2)} / ${fmt(c.p100Ratio, 2)} × the bare server's.`,
        );
      }
    }
    for (const r of s.storm.rounds) {
      if (r.connectErrorReasons && Object.keys(r.connectErrorReasons).length) {
        // "ECONNREFUSED": nothing listening yet; "timeout": no Engine.IO open within the client's 20 s.
        p(
          '',
          `Connect errors (${r.agents} agents), by message: ${Object.entries(r.connectErrorReasons)
            .map(([k, v]) => `"${k.replace(/:\d+$/, '')}" × ${v}`)
            .join(', ')}.`,
        );
      }
      if (r.warnings && Object.keys(r.warnings).length) {
        p(
          '',
          `Warnings logged by the restarted gateway (${r.agents} agents), by message: ${Object.entries(r.warnings)
            .map(([k, v]) => `"${k}" × ${v}`)
            .join(', ')}.`,
        );
      }
    }
    const j = s.storm.jobs;
    if (j) {
      p(
        '',
        `Jobs submitted across the restarts: ${j.accepted} accepted, ${j.completed} completed, **${j.lost} not completed** (states: ${Object.entries(
          j.states,
        )
          .map(([k, v]) => `${k} ${v}`)
          .join(
            ', ',
          )}), ${j.ticketsPrinted} tickets printed (${j.duplicates} more than completed), ${j.submitRetries} submit retries while the gateway was down.`,
      );
    }
    p('');
  }
  if (s.fanout?.gateway) {
    const f = s.fanout;
    p('## Fan-out: printer status to dashboards', '', f.description, '');
    p(
      '| | changes/s | dashboards | deliveries / expected | latency p50 / p99 / max ms | messages | CPU % server |',
      '|---|---|---|---|---|---|---|',
    );
    for (const [name, r, key] of [
      ['bare Socket.IO', f.bare, 'bare-fanout'],
      ['gateway', f.gateway, 'gateway-fanout'],
    ]) {
      p(
        `| ${name} | ${fmt(r.changesPerS)} | ${r.dashboards} | ${r.deliveries} / ${r.expectedDeliveries} (${pct(r.deliveredRatio)}) | ${fmt(r.latencyMs.p50)} / ${fmt(r.latencyMs.p99)} / ${fmt(r.latencyMs.max)} | ${r.messages} | ${fmt(r.cpu?.[key]?.cpuPercent, 0)} |`,
      );
    }
    p(
      '',
      `Gateway / bare: p50 ${fmt(f.p50Ratio, 2)}×, p99 ${fmt(f.p99Ratio, 2)}×. Fewer deliveries than expected means changes were coalesced, not lost: within one 100 ms batch only a printer's newest status is sent, and a status equal to the last one sent is dropped — which happens more when the gateway falls behind and batches bunch up.`,
      '',
    );
  }
  if (s.images?.largest) p(...imagesMarkdown(s.images));
  if (s.export?.stores) p(...exportMarkdown(s.export));
  if (s.history?.stores) p(...historyMarkdown(s.history));
  if (s.growth?.stores) p(...growthMarkdown(s.growth));
  if (s.profile?.profiles) {
    p('## CPU profiles (gateway under --cpu-prof)', '');
    for (const prof of s.profile.profiles) {
      p(
        `### ${prof.label}`,
        '',
        `${prof.note ?? ''} Busy ${fmt(prof.busyPercent)} % of ${fmt(prof.totalMs / 1000)} s sampled; flame graph: [${prof.flameGraph}](${prof.flameGraph}).`,
        '',
        'Self time by component:',
        '',
        '| component | self % of busy |',
        '|---|---|',
        ...prof.byCategory.slice(0, 10).map((c) => `| ${c.category} | ${fmt(c.percent)} |`),
        '',
        'Top functions by self time:',
        '',
        '| function | where | self % of busy |',
        '|---|---|---|',
        ...prof.top.slice(0, 15).map((f) => `| \`${f.name}\` | ${f.where} | ${fmt(f.percent)} |`),
        '',
        ...(prof.ownInclusive?.length
          ? [
              'PrinterMaster functions by inclusive time (synchronous part only):',
              '',
              '| function | where | inclusive % of busy |',
              '|---|---|---|',
              ...prof.ownInclusive.slice(0, 10).map((f) => `| \`${f.name}\` | ${f.where} | ${fmt(f.percent)} |`),
              '',
            ]
          : []),
      );
    }
  }
  const failed = Object.entries(s).filter(([, v]) => v?.error);
  if (failed.length) {
    p('## Scenarios that failed', '', ...failed.map(([k, v]) => `- ${k}: ${v.error}`), '');
  }
  return `${lines.join('\n')}\n`;
}

// ---------- SVG ----------

const COLORS = {
  'bare relay': '#8c8c8c',
  'bare Socket.IO': '#8c8c8c',
  'bare + deflate': '#c49c94',
  'gateway RPC': '#1f77b4',
  'durable embedded': '#ff7f0e',
  'durable postgres': '#2ca02c',
  gateway: '#1f77b4',
  p50: '#1f77b4',
  p95: '#ff7f0e',
  '100 %': '#d62728',
  'bare p95': '#8c8c8c',
  'durable floor': '#bcbd22',
};
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const num = (v) => (v >= 100 ? String(Math.round(v)) : v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(2));

/** A round axis maximum: 1, 2, 2.5 or 5 × 10^k. */
function niceMax(v) {
  const e = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * e >= v) return m * e;
  return 10 * e;
}

/**
 * One panel of grouped bars. groups: [{label, bars: [{series, value, target?}]}].
 * `log` draws a log10 axis; `line` a dashed reference line; a bar's `target` a red tick.
 */
function panel({ x, y, w, h, title, unit, groups, line, log = false, valueLabel = num }) {
  const out = [];
  out.push(`<text x="${x}" y="${y + 14}" font-size="13" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="${x}" y="${y + 28}" font-size="10" fill="#555">${esc(unit)}</text>`);
  const top = y + 40;
  const bottom = y + h - 34;
  const left = x + 44;
  const right = x + w - 8;
  const values = groups
    .flatMap((g) => g.bars.flatMap((b) => [b.value, b.target]))
    .filter((v) => Number.isFinite(v) && v > 0);
  if (line) values.push(line.value);
  let scale;
  let ticks;
  if (log) {
    const lo = 10 ** Math.floor(Math.log10(Math.min(...values, 1)));
    const hi = 10 ** Math.ceil(Math.log10(Math.max(...values) * 1.05));
    const span = Math.log10(hi) - Math.log10(lo);
    scale = (v) => bottom - ((bottom - top) * (Math.log10(Math.max(v, lo)) - Math.log10(lo))) / span;
    ticks = [];
    for (let t = lo; t <= hi * 1.001; t *= 10) ticks.push(t);
  } else {
    const max = niceMax(Math.max(1e-9, ...values) * 1.08);
    scale = (v) => bottom - ((bottom - top) * v) / max;
    ticks = [0, 1, 2, 3, 4].map((i) => (max / 4) * i);
  }
  for (const t of ticks) {
    const yy = scale(t);
    out.push(`<line x1="${left}" y1="${yy}" x2="${right}" y2="${yy}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${left - 4}" y="${yy + 4}" font-size="10" text-anchor="end" fill="#555">${num(t)}</text>`);
  }
  const gw = (right - left) / Math.max(1, groups.length);
  for (const [gi, g] of groups.entries()) {
    const n = g.bars.length;
    const bw = Math.min(34, (gw - 12) / Math.max(1, n));
    const gx = left + gi * gw + (gw - bw * n) / 2;
    for (const [bi, b] of g.bars.entries()) {
      const bx = gx + bi * bw;
      if (Number.isFinite(b.value)) {
        const by = scale(b.value);
        out.push(
          `<rect x="${bx.toFixed(1)}" y="${by.toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${Math.max(0, bottom - by).toFixed(1)}" fill="${COLORS[b.series] ?? '#9467bd'}"><title>${esc(`${b.series} ${g.label}: ${b.value}`)}</title></rect>`,
        );
        out.push(
          `<text x="${(bx + (bw - 2) / 2).toFixed(1)}" y="${(by - 2).toFixed(1)}" font-size="8" text-anchor="middle" fill="#333">${esc(valueLabel(b.value))}</text>`,
        );
      }
      if (Number.isFinite(b.target)) {
        const ty = scale(b.target);
        out.push(
          `<line x1="${(bx - 3).toFixed(1)}" y1="${ty.toFixed(1)}" x2="${(bx + bw + 1).toFixed(1)}" y2="${ty.toFixed(1)}" stroke="#d62728" stroke-width="2"><title>${esc(`target ${valueLabel(b.target)}`)}</title></line>`,
        );
      }
    }
    out.push(
      `<text x="${left + gi * gw + gw / 2}" y="${bottom + 13}" font-size="10" text-anchor="middle">${esc(g.label)}</text>`,
    );
  }
  if (line) {
    const ly = scale(line.value);
    out.push(`<line x1="${left}" y1="${ly}" x2="${right}" y2="${ly}" stroke="#d62728" stroke-dasharray="4 3"/>`);
    out.push(
      `<text x="${right}" y="${ly - 3}" font-size="9" text-anchor="end" fill="#d62728">${esc(line.label)}</text>`,
    );
  }
  out.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#333"/>`);
  const series = [...new Set(groups.flatMap((g) => g.bars.map((b) => b.series)))];
  let lx = left;
  for (const sname of series) {
    out.push(`<rect x="${lx}" y="${bottom + 20}" width="10" height="10" fill="${COLORS[sname] ?? '#9467bd'}"/>`);
    out.push(`<text x="${lx + 13}" y="${bottom + 29}" font-size="10">${esc(sname)}</text>`);
    lx += 20 + sname.length * 6;
  }
  if (groups.some((g) => g.bars.some((b) => Number.isFinite(b.target)))) {
    out.push(
      `<line x1="${lx}" y1="${bottom + 25}" x2="${lx + 12}" y2="${bottom + 25}" stroke="#d62728" stroke-width="2"/>`,
    );
    out.push(`<text x="${lx + 15}" y="${bottom + 29}" font-size="10">target</text>`);
  }
  return out.join('\n');
}

/** A bar chart of gateway vs baseline for every scenario measured. */
export function renderSvg(results) {
  const s = results.scenarios;
  const conns = results.meta.options.connections;
  const panels = [];
  const top = Math.max(...conns);
  const low = Math.min(...conns);
  const relayTop = level(s.baseline, top)?.rps;
  const share = (v) => (v !== undefined && relayTop ? (100 * v) / relayTop : undefined);
  if (relayTop) {
    panels.push({
      title: `Targets: share of the relay's req/s at ${top} connections`,
      unit: '% of the bare relay in the same run (higher is better)',
      valueLabel: (v) => `${num(v)} %`,
      groups: [
        {
          label: 'printer-test RPC',
          bars: [
            {
              series: 'gateway RPC',
              value: level(s.rpc, top)?.paired
                ? 100 * level(s.rpc, top).paired.rpsRatio
                : share(level(s.rpc, top)?.rps),
              target: 80,
            },
          ],
        },
        {
          label: 'durable, postgres',
          bars: [
            { series: 'durable postgres', value: share(level(s.durable?.stores?.postgres, top)?.jobsPerS), target: 50 },
            ...(s.durable?.floor?.postgres
              ? [{ series: 'durable floor', value: share(level(s.durable.floor.postgres, top)?.jobsPerS) }]
              : []),
          ],
        },
        {
          label: 'durable, embedded',
          bars: [
            { series: 'durable embedded', value: share(level(s.durable?.stores?.embedded, top)?.jobsPerS), target: 25 },
            ...(s.durable?.floor?.embedded
              ? [{ series: 'durable floor', value: share(level(s.durable.floor.embedded, top)?.jobsPerS) }]
              : []),
          ],
        },
      ],
    });
  }
  const costGroups = [];
  const rpcLow = level(s.rpc, low)?.latencyMs?.p50;
  const relayLow = level(s.baseline, low)?.latencyMs?.p50;
  if (rpcLow && relayLow)
    costGroups.push({
      label: `RPC p50, ${low} conn.`,
      bars: [{ series: 'gateway RPC', value: level(s.rpc, low)?.paired?.p50Ratio ?? rpcLow / relayLow, target: 1.3 }],
    });
  const idleTop = s.idle?.comparison?.at(-1);
  if (idleTop?.rssRatio)
    costGroups.push({
      label: `RSS/agent, ${idleTop.agents / 1000}k`,
      bars: [{ series: 'gateway', value: idleTop.rssRatio, target: 1.3 }],
    });
  const stormCmp = s.storm?.comparison?.at(-1);
  if (stormCmp?.p95Ratio)
    costGroups.push({
      label: `storm p95, ${stormCmp.agents / 1000}k`,
      bars: [{ series: 'gateway', value: stormCmp.p95Ratio }],
    });
  if (s.fanout?.p50Ratio)
    costGroups.push({ label: 'fan-out p50', bars: [{ series: 'gateway', value: s.fanout.p50Ratio }] });
  if (s.fanout?.p99Ratio)
    costGroups.push({ label: 'fan-out p99', bars: [{ series: 'gateway', value: s.fanout.p99Ratio }] });
  if (costGroups.length) {
    panels.push({
      title: 'Targets: gateway cost × the baseline',
      unit: '× the bare Socket.IO figure of the same run, log scale (lower is better)',
      log: true,
      line: { value: 1, label: 'baseline' },
      valueLabel: (v) => `${num(v)}×`,
      groups: costGroups,
    });
  }
  if (s.baseline?.levels || s.rpc?.levels || s.durable?.stores) {
    panels.push({
      title: 'Throughput: relay vs gateway',
      unit: 'requests (jobs) per second, log scale',
      log: true,
      groups: conns.map((c) => ({
        label: `${c} conn.`,
        bars: [
          { series: 'bare relay', value: level(s.baseline, c)?.rps },
          { series: 'gateway RPC', value: level(s.rpc, c)?.rps },
          { series: 'durable embedded', value: level(s.durable?.stores?.embedded, c)?.jobsPerS },
          { series: 'durable postgres', value: level(s.durable?.stores?.postgres, c)?.jobsPerS },
        ],
      })),
    });
    panels.push({
      title: 'Latency p50: relay vs gateway',
      unit: 'ms, log scale (durable: created → completed)',
      log: true,
      groups: conns.map((c) => ({
        label: `${c} conn.`,
        bars: [
          { series: 'bare relay', value: level(s.baseline, c)?.latencyMs?.p50 },
          { series: 'gateway RPC', value: level(s.rpc, c)?.latencyMs?.p50 },
          { series: 'durable embedded', value: level(s.durable?.stores?.embedded, c)?.createdToCompletedMs?.p50 },
          { series: 'durable postgres', value: level(s.durable?.stores?.postgres, c)?.createdToCompletedMs?.p50 },
        ],
      })),
    });
  }
  if (s.idle?.comparison) {
    panels.push({
      title: 'Memory per idle agent (RSS)',
      unit: 'KiB per agent',
      groups: s.idle.comparison.map((c) => ({
        label: `${c.agents} agents`,
        bars: [
          { series: 'bare Socket.IO', value: s.idle.bare.points.find((p) => p.agents === c.agents)?.rssPerAgentKiB },
          {
            series: 'bare + deflate',
            value: s.idle.bareDeflate?.points.find((p) => p.agents === c.agents)?.rssPerAgentKiB,
          },
          { series: 'gateway', value: s.idle.gateway.points.find((p) => p.agents === c.agents)?.rssPerAgentKiB },
        ],
      })),
    });
  }
  if (s.fanout?.gateway) {
    panels.push({
      title: `Fan-out to ${s.fanout.gateway.dashboards} dashboards`,
      unit: 'delivery latency, ms',
      groups: ['p50', 'p99'].map((q) => ({
        label: q,
        bars: [
          { series: 'bare Socket.IO', value: s.fanout.bare.latencyMs[q] },
          { series: 'gateway', value: s.fanout.gateway.latencyMs[q] },
        ],
      })),
    });
  }
  if (s.storm?.rounds) {
    panels.push({
      title: 'Reconnect storm (gateway restart)',
      unit: 's after the new gateway is ready',
      line: { value: 5, label: 'target p95 ≤ 5 s' },
      groups: s.storm.rounds.map((r) => {
        const b = s.storm.bare?.find((x) => x.requested === r.requested);
        return {
          label: `${r.agents} agents`,
          bars: [
            ...(b ? [{ series: 'bare p95', value: b.backFromReadyS.p95 }] : []),
            { series: 'p50', value: r.backFromReadyS.p50 },
            { series: 'p95', value: r.backFromReadyS.p95 },
            { series: '100 %', value: r.backFromReadyS.p100 },
          ],
        };
      }),
    });
  }
  const pw = 460;
  const ph = 250;
  const cols = 2;
  const rows = Math.max(1, Math.ceil(panels.length / cols));
  const width = cols * pw + 20;
  const height = rows * ph + 50;
  const m = results.meta.machine;
  const body = panels.map((p, i) =>
    panel({ ...p, x: 10 + (i % cols) * pw, y: 40 + Math.floor(i / cols) * ph, w: pw - 20, h: ph - 10 }),
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<title>PrinterMaster vs bare Socket.IO, ${esc(results.meta.startedAt)}</title>
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="20" font-size="15" font-weight="bold">PrinterMaster vs bare Socket.IO — same machine, same run</text>
<text x="10" y="34" font-size="10" fill="#555">${esc(`${m.cpuModel}, ${m.cores} cores, Node ${m.node}, ${results.meta.startedAt}`)}</text>
${body.join('\n')}
</svg>
`;
}
