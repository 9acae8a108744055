// The durable print path: POST /printing/jobs → stored → dispatched to the
// real agent (its own process, journal on disk) → printed into the virtual
// printer (sink mode, its own process) → completed. Closed loop: each
// submitter waits for its job to be completed (seen on a dashboard socket)
// before it submits the next one.
import pg from 'pg';
import { startVirtualPrinter } from '../lib/gateway.mjs';
import { cpuMeter, processGroup, sleep } from '../lib/proc.mjs';
import { freshGateway, startSubmitPath, ticketBase64 } from './common.mjs';

/** @param {import('../lib/context.mjs').Context} ctx */
export async function runDurable(
  ctx,
  { stores = ctx.opts.stores, nodeArgs = [], connectionsList = ctx.opts.connections } = {},
) {
  const out = {
    description:
      'POST /printing/jobs (≈600-byte ESC/POS ticket) → job stored → print:job to the real agent → journal (fsync) → TCP to the virtual printer (--sink) → print:job:completed; a submitter submits its next job once a dashboard socket sees the last one completed',
    printers: ctx.opts.printers,
    stores: {},
  };
  for (const store of stores) {
    ctx.log(`durable: print jobs through the gateway (${store} store, real agent, ${ctx.opts.printers} printers)`);
    out.stores[store] = await runStore(ctx, store, { nodeArgs, connectionsList });
  }
  if (ctx.opts.floor) {
    out.floorDescription =
      'bench/procs/durable-floor-server.mjs and durable-floor-agent.mjs: node:http + Socket.IO + the same database, the same job states, events, journal syncs, acknowledgements and dashboard updates, each group-committed per loop turn; no authentication, validation, tenancy, idempotency, metrics, logs or deflate';
    out.floor = {};
    for (const store of stores) {
      ctx.log(
        `durable floor: the same path with no gateway code (${store} database, floor agent, ${ctx.opts.printers} printers)`,
      );
      out.floor[store] = await runFloor(ctx, store, { connectionsList });
    }
  }
  return out;
}

/**
 * The floor of the durable path on `store` (the database the gateway would use), with
 * the same virtual printer, submitters and measurements as the gateway's runs.
 * @param {import('../lib/context.mjs').Context} ctx
 */
export async function runFloor(ctx, store, { connectionsList = ctx.opts.connections } = {}) {
  const vp = await startVirtualPrinter(ctx, `vprinter-floor-${store}`);
  let env;
  let drop = async () => {};
  if (store === 'postgres') {
    const schema = `bench_floor_${Date.now().toString(36)}_${process.pid}`;
    await pgQuery(ctx.opts.databaseUrl, `CREATE SCHEMA "${schema}"`);
    drop = () => pgQuery(ctx.opts.databaseUrl, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    env = { STORE: 'postgres', DATABASE_URL: ctx.opts.databaseUrl, SCHEMA: schema };
  } else env = { STORE: 'pglite', DATA_DIR: ctx.dir(`floor-${store}-data`) };
  const server = ctx.fork(`durable-floor-${store}`, 'durable-floor-server.mjs', { env });
  const load = ctx.fork(`durable-floor-load-${store}`, 'durable-load.mjs');
  let agent;
  try {
    const { port } = JSON.parse(await server.waitForLine(/durable floor listening/, 60_000));
    const url = `http://127.0.0.1:${port}`;
    agent = ctx.fork(`durable-floor-agent-${store}`, 'durable-floor-agent.mjs', {
      env: {
        SERVER_URL: url,
        PRINTER_PORT: String(vp.port),
        JOURNAL: `${ctx.agentJournal(`floor-journal-${store}`)}/journal.jsonl`,
      },
    });
    await agent.waitForLine(/floor agent connected/, 30_000);
    await load.call('start', {
      url,
      token: 'floor',
      printerIds: Array.from({ length: ctx.opts.printers }, (_, i) => `floor-printer-${i + 1}`),
      contentBase64: ticketBase64(),
      connections: Math.max(...connectionsList),
    });
    const levels = await measureLevels(ctx, {
      label: `floor ${store}`,
      store,
      vp,
      load,
      procs: [server, agent],
      connectionsList,
    });
    return {
      store,
      processes: { server: server.name, agent: agent.name, printer: vp.proc.name, load: load.name },
      levels,
    };
  } finally {
    await load.stop();
    await agent?.stop();
    await server.stop();
    await vp.proc.stop('SIGTERM');
    await drop();
  }
}

async function pgQuery(databaseUrl, text) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * The closed-loop levels of one durable run: at each concurrency the submitters' figures, the CPU
 * of `procs`, the virtual printer, the load (and PostgreSQL's server processes), and the tickets
 * the printer counted over the level.
 */
async function measureLevels(ctx, { label, store, vp, load, procs, connectionsList }) {
  const levels = [];
  for (const concurrency of connectionsList) {
    const before = await vp.status();
    const pgServer = store === 'postgres' ? [processGroup('postgres-server', 'postgres')] : [];
    const meter = cpuMeter([...procs, vp.proc, load, ...pgServer]);
    const r = await load.call('run', {
      concurrency,
      durationMs: ctx.opts.durationS * 1000,
      warmupMs: ctx.opts.warmupS * 1000,
    });
    r.cpu = meter.stop();
    await sleep(300);
    const after = await vp.status();
    // Every job submitted during the level (warm-up and tail included) has ended by now.
    r.ticketsPrinted = (after.ticketCount ?? 0) - (before.ticketCount ?? 0);
    ctx.log(
      `  durable ${label} c=${concurrency}: ${r.jobsPerS} jobs/s, created→completed p50 ${r.createdToCompletedMs.p50} ms p99 ${r.createdToCompletedMs.p99} ms, accept p50 ${r.acceptLatencyMs.p50} ms, rejected ${r.rejected}, timed out ${r.timedOut}`,
    );
    levels.push(r);
  }
  return levels;
}

/** @param {import('../lib/context.mjs').Context} ctx */
export async function runStore(
  ctx,
  store,
  {
    nodeArgs = [],
    agentNodeArgs = [],
    connectionsList = ctx.opts.connections,
    label = '',
    env = {},
    // Called with the gateway once it is ready, before any job (the webhook scenario registers its endpoint).
    beforeLoad = async () => {},
    // Called once the levels are measured, before the gateway stops (the webhook scenario lets its receiver catch up).
    afterLevels = async () => {},
    // Starts the gateway; by default on a fresh store (the history scenario starts it on a seeded one).
    gateway = () => freshGateway(ctx, store, `gateway-durable-${store}${label}`, { nodeArgs, env }),
  } = {},
) {
  const vp = await startVirtualPrinter(ctx, `vprinter-${store}${label}`);
  const gw = await gateway();
  const { agent, load, start } = await startSubmitPath(ctx, gw, vp, {
    name: `${store}${label}`,
    connections: Math.max(...connectionsList),
    agentNodeArgs,
  });
  try {
    await beforeLoad(gw);
    await start();
    const levels = await measureLevels(ctx, {
      label: store,
      store,
      vp,
      load,
      procs: [gw.proc, agent.proc],
      connectionsList,
    });
    await afterLevels(gw);
    await load.stop();
    await agent.proc.stop('SIGTERM');
    await gw.proc.stop('SIGTERM');
    const jobs = levels.reduce((n, l) => n + l.allCompleted + l.allOther, 0);
    // PostgreSQL's per-table counters of this schema, read after the gateway closed its
    // connections (a backend flushes its counters when it exits): work per job.
    const dbWork =
      store === 'postgres'
        ? await tableStats(ctx.opts.databaseUrl, gw.storeEnv.PRINTERMASTER_DATABASE_SCHEMA, jobs)
        : undefined;
    return {
      store,
      processes: { server: gw.proc.name, agent: agent.proc.name, printer: vp.proc.name, load: load.name },
      levels,
      ...(dbWork ? { dbWork } : {}),
    };
  } finally {
    await load.stop();
    await agent.proc.stop('SIGTERM');
    await gw.proc.stop('SIGTERM');
    await vp.proc.stop('SIGTERM');
    await gw.cleanup();
  }
}

/** Row writes and scans per job in the schema (whole run, setup included). */
async function tableStats(databaseUrl, schema, jobs) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await new Promise((r) => setTimeout(r, 500));
    const { rows } = await client.query(
      `SELECT relname, n_tup_ins::int AS ins, n_tup_upd::int AS upd, n_tup_del::int AS del,
              coalesce(seq_scan, 0)::int AS seq, coalesce(idx_scan, 0)::int AS idx
         FROM pg_stat_user_tables WHERE schemaname = $1`,
      [schema],
    );
    const per = (k) => Math.round((10 * rows.reduce((n, r) => n + r[k], 0)) / Math.max(1, jobs)) / 10;
    return {
      jobs,
      perJob: {
        rowsInserted: per('ins'),
        rowsUpdated: per('upd'),
        rowsDeleted: per('del'),
        seqScans: per('seq'),
        indexScans: per('idx'),
      },
      tables: Object.fromEntries(
        rows
          .filter((r) => r.ins + r.upd + r.del + r.seq + r.idx > 0)
          .map((r) => [r.relname, { ins: r.ins, upd: r.upd, del: r.del, seqScans: r.seq, idxScans: r.idx }]),
      ),
    };
  } finally {
    await client.end();
  }
}
