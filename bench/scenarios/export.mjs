// Export: the job history of a large store streamed as CSV (GET /printing/jobs?format=csv), with
// the gateway's resident memory and /health/live latency sampled every 100 ms meanwhile
// (procs/export-watch.mjs). The store is seeded with one INSERT ... SELECT generate_series under
// the real table's constraints: PostgreSQL in a schema of its own while the gateway runs; the
// embedded store with the gateway stopped (PGlite is single-process), then started again.
import { request } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { admin, startGateway } from '../lib/gateway.mjs';
import { cpuMeter, round } from '../lib/proc.mjs';
import { freshGateway } from './common.mjs';

/** The targets: RSS growth over the baseline, and the live probe, during the export. */
export const EXPORT_RSS_TARGET_MB = 50;
export const EXPORT_LIVE_TARGET_MS = 100;
/** Columns of the job export (print-job-csv.ts): every record must have them all. */
const COLUMNS = 19;
const MB = 1024 * 1024;

/** One statement, the real table's constraints: states, types, priorities and copies in range, FKs to the bootstrap tenant. */
export function seedSql(rows) {
  return `
  INSERT INTO print_jobs (id, company_id, branch_id, printer_id, state, type, priority, copies, content, byte_length,
                          order_data, idempotency_key, device_id, reason, attempts, useful_until, created_at,
                          updated_at, completed_at)
  SELECT 'bench-job-' || lpad(g::text, 8, '0'), $1, $2, 'bench-printer-' || (g % 8),
         (ARRAY['completed','completed','completed','completed','completed','completed','failed','cancelled','expired','unconfirmed'])[1 + g % 10],
         (ARRAY['receipt','kitchen','label'])[1 + g % 3], 1 + g % 10, 1 + g % 3,
         '\\x1b40424552'::bytea, 6,
         CASE WHEN g % 4 = 0 THEN NULL ELSE jsonb_build_object('orderId', 'O-' || g, 'table', g % 40, 'note', 'no onions, "extra" sauce') END,
         CASE WHEN g % 5 = 0 THEN 'pos-' || g END,
         'bench-device', CASE WHEN g % 10 = 6 THEN 'printer offline: =paper out' END,
         1, t + interval '10 minutes', t, t + interval '2 seconds',
         CASE WHEN g % 10 < 6 THEN t + interval '2 seconds' END
  FROM generate_series(1, ${Number(rows)}) AS g,
       LATERAL (SELECT timestamptz '2026-11-01T00:00:00Z' - make_interval(secs => g * 0.5) AS t) AS at`;
}

async function seedPostgres(databaseUrl, schema, creds, rows) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`SET search_path TO "${schema}"`);
    await client.query(seedSql(rows), [creds.companyId, creds.branchId]);
    await client.query('ANALYZE print_jobs');
  } finally {
    await client.end();
  }
}

async function seedEmbedded(dataDir, creds, rows) {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite(join(dataDir, 'pgdata'));
  try {
    await db.query(seedSql(rows), [creds.companyId, creds.branchId]);
    await db.query('ANALYZE print_jobs');
  } finally {
    await db.close();
  }
}

/**
 * Reads the export to its end as a client would, and checks it as CSV (RFC 4180) on the way:
 * quotes balanced, every record with all its columns, CRLF line ends. Counts data rows and bytes.
 */
function readExport(url, path, token) {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const t0 = performance.now();
    const req = request(
      { host: target.hostname, port: target.port, path, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`GET ${path}: ${res.statusCode}`));
          return;
        }
        let records = 0;
        let fields = 1;
        let quoted = false;
        let afterCr = false;
        let bytes = 0;
        let bad;
        let firstByteMs;
        res.on('data', (chunk) => {
          firstByteMs ??= performance.now() - t0;
          bytes += chunk.length;
          for (let i = 0; i < chunk.length; i++) {
            const c = chunk[i];
            if (quoted) {
              // A doubled quote inside a quoted field reads as leaving and re-entering it.
              if (c === 0x22) quoted = false;
              continue;
            }
            if (c === 0x22) quoted = true;
            else if (c === 0x2c) fields++;
            else if (c === 0x0a) {
              if (!afterCr) bad ??= `bare LF in record ${records + 1}`;
              if (fields !== COLUMNS) bad ??= `record ${records + 1} has ${fields} fields`;
              records++;
              fields = 1;
            }
            afterCr = c === 0x0d;
          }
        });
        res.on('end', () => {
          if (quoted || fields !== 1) bad ??= 'the export does not end with a complete record';
          resolve({
            rows: records - 1,
            bytes,
            valid: bad === undefined,
            problem: bad,
            firstByteMs: round(firstByteMs ?? 0, 1),
            durationS: round((performance.now() - t0) / 1000, 2),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The longest event-loop delay since the last scrape, ms (printermaster_nodejs_eventloop_lag_max_seconds). */
async function loopMaxMs(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('printermaster_nodejs_eventloop_lag_max_seconds '));
  return line ? round(Number(line.split(' ')[1]) * 1000, 1) : undefined;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? undefined : s[Math.floor((s.length - 1) / 2)];
};

/**
 * The gateway's Node options measured: V8's defaults, and `--optimize-for-size`, with which V8 keeps
 * its heap small (smaller young generation, full collections sooner) at some CPU cost.
 */
const VARIANTS = [
  { label: '', nodeArgs: [] },
  { label: ', --optimize-for-size', nodeArgs: ['--optimize-for-size'] },
];

/** Seeds `rows` jobs into a fresh store of kind `store`, then exports them once per VARIANTS entry. */
async function runStore(ctx, store, rows, out) {
  ctx.log(`export: ${store}: a fresh gateway`);
  const gw = await freshGateway(ctx, store, `export-${store}`);
  try {
    const seedT0 = Date.now();
    ctx.log(`export: ${store}: seeding ${rows} print jobs`);
    // PGlite takes one process at a time: the embedded store is seeded with the gateway stopped.
    await gw.proc.stop('SIGTERM', 15_000);
    if (store === 'postgres') {
      await seedPostgres(ctx.opts.databaseUrl, gw.storeEnv.PRINTERMASTER_DATABASE_SCHEMA, gw.creds, rows);
    } else {
      await seedEmbedded(gw.storeEnv.PRINTERMASTER_DATA_DIR, gw.creds, rows);
    }
    const seedS = round((Date.now() - seedT0) / 1000, 1);
    ctx.log(`export: ${store}: seeded in ${seedS} s`);
    for (const variant of VARIANTS) {
      const label = `${store}${variant.label}`;
      try {
        out[label] = { seedS, nodeArgs: variant.nodeArgs, ...(await measure(ctx, gw, label, variant.nodeArgs, rows)) };
      } catch (err) {
        ctx.log(`export: ${label} FAILED: ${err instanceof Error ? err.stack : err}`);
        out[label] = { error: err instanceof Error ? err.message : String(err) };
      }
    }
  } finally {
    await gw.cleanup();
  }
}

/** A gateway started afresh on the seeded store, watched while it exports every job once. */
async function measure(ctx, seeded, label, nodeArgs, rows) {
  const gw = await startGateway(ctx, {
    name: `export-${label.replace(/[^a-z0-9]+/gi, '-')}`,
    storeEnv: seeded.storeEnv,
    env: seeded.env,
    creds: seeded.creds,
    nodeArgs,
  });
  const role = ctx.opts.exportRole;
  const token =
    role === 'super_admin'
      ? gw.creds.adminJwt
      : (await admin(seeded.storeEnv, ['token', '--role', 'company_owner', '--company', gw.creds.companyId])).token;
  const path = '/printing/jobs?format=csv';
  // Warm-up: a small export (the newest 1000 jobs), so that the baseline has the export's code loaded.
  await readExport(gw.url, `${path}&createdAfter=${encodeURIComponent('2026-10-31T23:51:40Z')}`, token);

  const watcher = ctx.fork(`export-${label.replace(/[^a-z0-9]+/gi, '-')}-watch`, 'export-watch.mjs');
  try {
    await watcher.call('start', { url: gw.url, pid: gw.proc.pid, everyMs: 100 });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // prom-client resets its event-loop delay histogram at each scrape: one now and one after the
    // export give the longest stall of the gateway's own loop, apart from the scheduler's share.
    await loopMaxMs(gw.url);
    const exportStartMs = await watcher.call('mark', { name: 'export' });
    const meter = cpuMeter([gw.proc]);
    ctx.log(`export: ${label}: exporting as ${role}`);
    const read = await readExport(gw.url, path, token);
    const cpu = meter.stop();
    const exportEndMs = await watcher.call('mark', { name: 'done' });
    const eventLoopMaxMs = await loopMaxMs(gw.url);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const w = await watcher.call('stop');
    const before = w.rss.filter(([t]) => t < exportStartMs).map(([, b]) => b);
    const during = w.rss.filter(([t]) => t >= exportStartMs && t <= exportEndMs).map(([, b]) => b);
    const baseline = median(before) ?? 0;
    const peak = Math.max(...during);
    const liveDuring = w.liveSeries.filter(([t]) => t >= exportStartMs && t <= exportEndMs).map(([, ms]) => ms);
    const sorted = [...liveDuring].sort((a, b) => a - b);
    const pct = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
    const result = {
      rows: read.rows,
      expectedRows: rows,
      complete: read.rows === rows,
      csvValid: read.valid,
      csvProblem: read.problem,
      bytesMB: round(read.bytes / MB, 1),
      durationS: read.durationS,
      rowsPerS: Math.round(read.rows / read.durationS),
      firstByteMs: read.firstByteMs,
      role,
      rssMB: {
        baseline: round(baseline / MB, 1),
        peak: round(peak / MB, 1),
        growth: round((peak - baseline) / MB, 1),
        atEnd: round((during.at(-1) ?? 0) / MB, 1),
        samples: during.length,
      },
      liveMs: { count: liveDuring.length, p50: pct(50), p99: pct(99), max: sorted.at(-1) },
      liveErrors: w.liveErrors,
      eventLoopMaxMs,
      liveBeforeMs: { max: Math.max(...w.liveSeries.filter(([t]) => t < exportStartMs).map(([, ms]) => ms)) },
      gatewayCpuPercent: Object.values(cpu)[0]?.cpuPercent,
      loadAverage1m: round(loadavg()[0], 2),
      // Every 1 s of the export (RSS MB, slowest probe ms), for a look at the shape.
      series: secondsOf(w, exportStartMs, exportEndMs),
    };
    ctx.log(
      `export: ${label}: ${result.rows} rows in ${result.durationS} s; RSS +${result.rssMB.growth} MB; live p99 ${result.liveMs.p99} ms, max ${result.liveMs.max} ms; load ${result.loadAverage1m}`,
    );
    return result;
  } finally {
    await watcher.stop();
    await gw.proc.stop('SIGTERM', 15_000);
  }
}

function secondsOf(w, from, to) {
  const out = [];
  for (let s = from; s <= to; s += 1000) {
    const rss = w.rss.filter(([t]) => t >= s && t < s + 1000).map(([, b]) => b);
    const live = w.liveSeries.filter(([t]) => t >= s && t < s + 1000).map(([, ms]) => ms);
    out.push([
      Math.round((s - from) / 1000),
      rss.length ? round(Math.max(...rss) / MB, 1) : null,
      live.length ? Math.max(...live) : null,
    ]);
  }
  return out;
}

/** @param {import('../lib/context.mjs').Context} ctx */
export async function runExport(ctx) {
  const rows = ctx.opts.exportRows;
  const out = {
    description: `GET /printing/jobs?format=csv of ${rows} seeded jobs, read to the end and parsed as CSV, as ${ctx.opts.exportRole}; the gateway's VmRSS and one GET /health/live every 100 ms from a separate process; baseline RSS = median of the 3 s before the export, after a warm-up export of 1000 rows; each store once with V8's defaults and once with node --optimize-for-size, from a freshly started gateway`,
    stores: {},
  };
  for (const store of ctx.opts.exportStores) {
    try {
      await runStore(ctx, store, rows, out.stores);
    } catch (err) {
      ctx.log(`export: ${store} FAILED: ${err instanceof Error ? err.stack : err}`);
      out.stores[store] = { error: err instanceof Error ? err.message : String(err) };
    }
  }
  return out;
}

/** The target rows of the report: one per store measured. */
export function exportTargets(s) {
  return Object.entries(s?.stores ?? {}).map(([store, r]) => ({
    name: `export of ${r.expectedRows ?? '?'} jobs as CSV (${store})`,
    required: `RSS growth < ${EXPORT_RSS_TARGET_MB} MB, every /health/live within ${EXPORT_LIVE_TARGET_MS} ms, every row`,
    measured: r.rssMB?.growth,
    met:
      r.error || !r.rssMB
        ? undefined
        : r.complete &&
          r.csvValid &&
          r.rssMB.growth < EXPORT_RSS_TARGET_MB &&
          r.liveMs.max <= EXPORT_LIVE_TARGET_MS &&
          r.liveErrors === 0,
    detail: r.error
      ? `failed: ${r.error}`
      : `${r.rows} rows (${r.csvValid ? 'valid CSV' : r.csvProblem}) in ${r.durationS} s; RSS ${r.rssMB.baseline} → ${r.rssMB.peak} MB (+${r.rssMB.growth}); /health/live p99 ${r.liveMs.p99} ms, max ${r.liveMs.max} ms over ${r.liveMs.count} probes (the gateway's event-loop delay max ${r.eventLoopMaxMs ?? '?'} ms); load average ${r.loadAverage1m}`,
  }));
}

/** The report's section. */
export function exportMarkdown(s) {
  const lines = ['## Export: a million jobs as CSV', '', s.description, ''];
  lines.push(
    '| store, Node options | rows | valid CSV | MB | s | rows/s | first byte ms | RSS baseline / peak / growth MB | /health/live p50 / p99 / max ms | event-loop delay max ms | CPU % gateway | load average |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const [store, r] of Object.entries(s.stores)) {
    if (r.error) {
      lines.push(`| ${store} | failed: ${r.error} ||||||||||`);
      continue;
    }
    lines.push(
      `| ${store} | ${r.rows} | ${r.csvValid ? 'yes' : r.csvProblem} | ${r.bytesMB} | ${r.durationS} | ${r.rowsPerS} | ${r.firstByteMs} | ${r.rssMB.baseline} / ${r.rssMB.peak} / ${r.rssMB.growth} | ${r.liveMs.p50} / ${r.liveMs.p99} / ${r.liveMs.max} | ${r.eventLoopMaxMs ?? '–'} | ${r.gatewayCpuPercent ?? '–'} | ${r.loadAverage1m} |`,
    );
  }
  lines.push('');
  return lines;
}
