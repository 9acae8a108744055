// History: the durable path on a store that already holds --history-rows finished jobs with their
// state changes and outbox events, against the same path on an empty store, alternated. Costs that
// grow with the history (a scan, a sort, an index that stops fitting in memory) show as a ratio
// below 1. The seed is one statement per table under the real constraints, in the bootstrap
// company and branch the submitters use: the export scenario's jobs, four state changes per job
// (queued → sent → printing → completed, or the job's final state) and one sequenced event each.
import { join } from 'node:path';
import pg from 'pg';
import { startGateway } from '../lib/gateway.mjs';
import { round } from '../lib/proc.mjs';
import { freshGateway, ratio } from './common.mjs';
import { runStore } from './durable.mjs';
import { seedSql } from './export.mjs';

/** Issue 20's target: the durable path on a store with a million past jobs at ≥ 90 % of an empty one's jobs/s. */
export const HISTORY_TARGET_RATIO = 0.9;

/** The seeded jobs' state changes; the last one is the job's own final state. */
function changesSql() {
  return `
  INSERT INTO print_job_events (job_id, company_id, from_state, to_state, actor, reason, created_at)
  SELECT j.id, j.company_id, step.from_state, CASE WHEN step.n = 4 THEN j.state ELSE step.to_state END,
         CASE WHEN step.n = 1 THEN 'user' ELSE 'agent' END, NULL, j.created_at + step.n * interval '400 milliseconds'
    FROM print_jobs AS j
    CROSS JOIN (VALUES (1, NULL, 'queued'), (2, 'queued', 'sent'), (3, 'sent', 'printing'), (4, 'printing', NULL))
         AS step (n, from_state, to_state)
   WHERE j.id LIKE 'bench-job-%'`;
}

/** One outbox event per seeded job, numbered after the store's own, and the sequencer's counter moved past them. */
function eventsSql() {
  return [
    `INSERT INTO events (seq, company_id, branch_id, type, subject_id, data, created_at)
     SELECT base.top + row_number() OVER (ORDER BY j.created_at), j.company_id, j.branch_id, 'print_job.' || j.state, j.id,
            jsonb_build_object('jobId', j.id, 'state', j.state, 'printerId', j.printer_id), j.updated_at
       FROM print_jobs AS j, (SELECT COALESCE(max(seq), 0) AS top FROM events) AS base
      WHERE j.id LIKE 'bench-job-%'`,
    `INSERT INTO gateway_meta (key, value) SELECT 'event_seq', to_jsonb(COALESCE(max(seq), 0)) FROM events
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
  ];
}

async function seed(query, creds, rows) {
  await query(seedSql(rows), [creds.companyId, creds.branchId]);
  await query(changesSql());
  for (const statement of eventsSql()) await query(statement);
  for (const table of ['print_jobs', 'print_job_events', 'events']) await query(`ANALYZE ${table}`);
}

/** A store of kind `store` seeded with `rows` past jobs, its gateway stopped; `drop()` removes it. */
async function seededStore(ctx, store, rows) {
  const gw = await freshGateway(ctx, store, `history-${store}-seeded`);
  // PGlite takes one process at a time: every store is seeded with its gateway stopped, for the same conditions.
  await gw.proc.stop('SIGTERM', 15_000);
  const t0 = Date.now();
  if (store === 'postgres') {
    const client = new pg.Client({ connectionString: ctx.opts.databaseUrl });
    await client.connect();
    try {
      await client.query(`SET search_path TO "${gw.storeEnv.PRINTERMASTER_DATABASE_SCHEMA}"`);
      await seed((text, values) => client.query(text, values), gw.creds, rows);
    } finally {
      await client.end();
    }
  } else {
    const { PGlite } = await import('@electric-sql/pglite');
    const db = new PGlite(join(gw.storeEnv.PRINTERMASTER_DATA_DIR, 'pgdata'));
    try {
      await seed((text, values) => db.query(text, values), gw.creds, rows);
    } finally {
      await db.close();
    }
  }
  return { ...gw, seedS: round((Date.now() - t0) / 1000, 1) };
}

/** Zeroes the schema's scan counters: the tables' and their indexes' (a table's idx_scan sums its indexes'). */
async function resetTableCounters(databaseUrl, schema) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `SELECT pg_stat_reset_single_table_counters(c.oid) FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'i', 'I')`,
      [schema],
    );
  } finally {
    await client.end();
  }
}

/** @param {import('../lib/context.mjs').Context} ctx */
export async function runHistory(ctx) {
  const rows = ctx.opts.historyRows;
  const rounds = ctx.opts.historyRounds;
  const connectionsList = [Math.max(...ctx.opts.connections)];
  const out = {
    description: `the durable path (as in "durable") at ${connectionsList[0]} submitters on an empty store and on one seeded with ${rows} finished jobs, ${4 * rows} state changes and ${rows} sequenced events in the same company and branch; ${rounds} alternated pairs, a gateway started afresh for each round; PostgreSQL's table counters give the scans per job on the seeded store`,
    rows,
    stores: {},
  };
  for (const store of ctx.opts.stores) {
    const result = { empty: [], seeded: [] };
    out.stores[store] = result;
    let seeded;
    try {
      ctx.log(`history: ${store}: seeding ${rows} past jobs with their state changes and events`);
      seeded = await seededStore(ctx, store, rows);
      result.seedS = seeded.seedS;
      ctx.log(`history: ${store}: seeded in ${seeded.seedS} s`);
      for (let i = 0; i < rounds; i++) {
        ctx.log(`history: ${store}: round ${i + 1} of ${rounds}, empty store`);
        const empty = await runStore(ctx, store, { connectionsList, label: `-history-empty-${i + 1}` });
        result.empty.push(summary(empty));
        ctx.log(`history: ${store}: round ${i + 1} of ${rounds}, ${rows} past jobs`);
        const full = await runStore(ctx, store, {
          connectionsList,
          label: `-history-seeded-${i + 1}`,
          gateway: async () => {
            // The scans per job count this round's work only, not the seed's or an earlier round's.
            if (store === 'postgres')
              await resetTableCounters(ctx.opts.databaseUrl, seeded.storeEnv.PRINTERMASTER_DATABASE_SCHEMA);
            return {
              ...(await startGateway(ctx, {
                name: `gateway-history-${store}-seeded-${i + 1}`,
                storeEnv: seeded.storeEnv,
                env: seeded.env,
                creds: seeded.creds,
              })),
              storeEnv: seeded.storeEnv,
              // The seeded store outlives the round: it is dropped after the last one.
              cleanup: async () => {},
            };
          },
        });
        result.seeded.push(summary(full));
      }
    } catch (err) {
      ctx.log(`history: ${store} FAILED: ${err instanceof Error ? err.stack : err}`);
      result.error = err instanceof Error ? err.message : String(err);
    } finally {
      await seeded?.cleanup();
    }
    const median = (list) => {
      const sorted = list.map((r) => r.jobsPerS).sort((a, b) => a - b);
      if (sorted.length === 0) return undefined;
      const mid = Math.floor(sorted.length / 2);
      return sorted.length % 2 ? sorted[mid] : round((sorted[mid - 1] + sorted[mid]) / 2, 1);
    };
    result.medianJobsPerS = { empty: median(result.empty), seeded: median(result.seeded) };
    result.ratio = ratio(result.medianJobsPerS.seeded, result.medianJobsPerS.empty);
  }
  return out;
}

function summary(run) {
  const level = run.levels[0];
  return {
    jobsPerS: level.jobsPerS,
    createdToCompletedMs: level.createdToCompletedMs,
    acceptLatencyMs: level.acceptLatencyMs,
    rejected: level.rejected,
    timedOut: level.timedOut,
    ticketsPrinted: level.ticketsPrinted,
    ...(run.dbWork ? { dbWork: run.dbWork } : {}),
  };
}

/** The target rows of the report: one per store. */
export function historyTargets(s) {
  return Object.entries(s?.stores ?? {}).map(([store, r]) => ({
    name: `durable path with ${s.rows} past jobs against an empty store (${store})`,
    required: `≥ ${HISTORY_TARGET_RATIO * 100} % of the empty store's jobs/s`,
    measured: r.ratio,
    met: r.error || r.ratio === undefined ? undefined : r.ratio >= HISTORY_TARGET_RATIO,
    detail: r.error
      ? `failed: ${r.error}`
      : `median ${r.medianJobsPerS.seeded} against ${r.medianJobsPerS.empty} jobs/s (rounds: ${r.seeded.map((x) => x.jobsPerS).join(', ')} against ${r.empty.map((x) => x.jobsPerS).join(', ')}); seeded in ${r.seedS} s`,
  }));
}

/** The report's section. */
export function historyMarkdown(s) {
  const lines = ['## History: the durable path on a store with past jobs', '', s.description, ''];
  lines.push(
    '| store | round | empty jobs/s | seeded jobs/s | empty p50 / p99 ms | seeded p50 / p99 ms | scans per job, empty / seeded (seq, index) |',
    '|---|---|---|---|---|---|---|',
  );
  for (const [store, r] of Object.entries(s.stores)) {
    if (r.error) lines.push(`| ${store} | failed: ${r.error} ||||||`);
    r.empty.forEach((e, i) => {
      const f = r.seeded[i];
      const perJob = (w) => (w ? `${w.perJob.seqScans}, ${w.perJob.indexScans}` : '–');
      const scans = e.dbWork || f?.dbWork ? `${perJob(e.dbWork)} / ${perJob(f?.dbWork)}` : '–';
      lines.push(
        `| ${store} | ${i + 1} | ${e.jobsPerS} | ${f?.jobsPerS ?? '–'} | ${e.createdToCompletedMs.p50} / ${e.createdToCompletedMs.p99} | ${f ? `${f.createdToCompletedMs.p50} / ${f.createdToCompletedMs.p99}` : '–'} | ${scans} |`,
      );
    });
    // A statement whose plan reads a table sequentially costs more as the table grows: which did.
    const scanned = r.seeded
      .flatMap((f) => Object.entries(f.dbWork?.tables ?? {}))
      .filter(([, t]) => t.seqScans > 0)
      .map(([table, t]) => `${table} ${t.seqScans}`);
    if (r.seeded.some((f) => f.dbWork))
      lines.push(`| ${store} | sequential scans in the seeded rounds | ${scanned.join(', ') || 'none'} |||||`);
    if (r.ratio !== undefined)
      lines.push(`| ${store} | median | ${r.medianJobsPerS.empty} | ${r.medianJobsPerS.seeded} | ratio ${r.ratio} |||`);
  }
  lines.push('');
  return lines;
}
