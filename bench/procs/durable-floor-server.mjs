// The durable path's floor: the least a server built on the same stack (node:http,
// Socket.IO 4, PostgreSQL through `pg` or PGlite) must do to keep the durable
// contract of DESIGN.md section 3, with none of the gateway's own code:
//   POST /printing/jobs → the job and its `queued` event stored → 202;
//   `print:job` to the floor agent (another process) → acknowledged once journaled;
//   `print:job:started` / `print:job:completed` from the agent, each acknowledged
//   once recorded; every state change stored with its event and sent to the
//   dashboards as `printJobUpdate` (what the benchmark's submitters wait for).
// Everything a request or report writes is gathered per loop turn into one
// statement (group commit); the job is handed to the agent from memory (no
// dispatcher read). No authentication, tenancy, validation, idempotency, metrics
// or logs, and no per-message deflate: an upper bound for the gateway's path.
//   STORE=postgres: DATABASE_URL and SCHEMA (created and dropped by the harness);
//   STORE=pglite: DATA_DIR.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { sendJson } from '../lib/http-json.mjs';
import { serveCommands } from '../lib/ipc.mjs';

const port = Number(process.env.PORT ?? 0);

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS floor_jobs (
  id uuid PRIMARY KEY,
  printer_id text NOT NULL,
  state text NOT NULL,
  type text NOT NULL,
  content bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS floor_jobs_waiting ON floor_jobs (printer_id, created_at) WHERE state IN ('queued', 'sent');
CREATE TABLE IF NOT EXISTS floor_job_events (
  id bigserial PRIMARY KEY,
  job_id uuid NOT NULL REFERENCES floor_jobs (id),
  from_state text,
  to_state text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS floor_job_events_job ON floor_job_events (job_id);
`;

const INSERT_SQL = `
WITH ins AS (
  INSERT INTO floor_jobs (id, printer_id, state, type, content)
  SELECT id, printer_id, 'queued', type, decode(content, 'base64')
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS t(id, printer_id, type, content)
  RETURNING id, created_at
), ev AS (
  INSERT INTO floor_job_events (job_id, from_state, to_state) SELECT id, NULL, 'queued' FROM ins
)
SELECT id, created_at FROM ins`;

// A batch may hold one job twice (sent and accepted in one loop turn): the row takes its
// last state, and every change gets its event.
const CHANGE_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) WITH ORDINALITY AS t(id, from_state, to_state, ord)
), last AS (
  SELECT DISTINCT ON (id) id, to_state FROM input ORDER BY id, ord DESC
), upd AS (
  UPDATE floor_jobs j SET state = last.to_state, updated_at = now() FROM last WHERE j.id = last.id RETURNING j.id
), ev AS (
  INSERT INTO floor_job_events (job_id, from_state, to_state)
  SELECT id, from_state, to_state FROM input ORDER BY ord
)
SELECT now() AS at, (SELECT count(*) FROM upd) AS updated`;

/** The database: `query(text, params)` → rows, `close()`. */
async function openStore() {
  if (process.env.STORE === 'pglite') {
    const { PGlite } = await import('@electric-sql/pglite');
    const db = new PGlite(process.env.DATA_DIR);
    await db.waitReady;
    await db.exec(SCHEMA_SQL);
    return {
      query: async (text, params) => (await db.query(text, params)).rows,
      close: () => db.close(),
    };
  }
  const pg = (await import('pg')).default;
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL,
    max: 4,
    options: `-c search_path=${process.env.SCHEMA}`,
  });
  await pool.query(SCHEMA_SQL);
  return { query: async (text, params) => (await pool.query(text, params)).rows, close: () => pool.end() };
}

/**
 * Group commit: calls gathered while the previous batch runs (or within one loop
 * turn when idle) go in one `run(items)`; each caller's promise settles with it.
 */
function batcher(run) {
  let items = [];
  let running = false;
  let scheduled = false;
  const go = async () => {
    scheduled = false;
    if (running || items.length === 0) return;
    running = true;
    const batch = items;
    items = [];
    try {
      const results = await run(batch.map((b) => b.item));
      for (const [i, b] of batch.entries()) b.resolve(results[i]);
    } catch (err) {
      for (const b of batch) b.reject(err);
    } finally {
      running = false;
      if (items.length > 0) go();
    }
  };
  return (item) =>
    new Promise((resolve, reject) => {
      items.push({ item, resolve, reject });
      if (!running && !scheduled) {
        scheduled = true;
        setImmediate(go);
      }
    });
}

const store = await openStore();
const insertJobs = batcher(async (jobs) => {
  const rows = await store.query(INSERT_SQL, [
    jobs.map((j) => j.id),
    jobs.map((j) => j.printerId),
    jobs.map((j) => j.type),
    jobs.map((j) => j.content),
  ]);
  const created = new Map(rows.map((r) => [r.id, new Date(r.created_at).toISOString()]));
  return jobs.map((j) => created.get(j.id));
});
const changeStates = batcher(async (changes) => {
  const [row] = await store.query(CHANGE_SQL, [
    changes.map((c) => c.job.id),
    changes.map((c) => c.from),
    changes.map((c) => c.to),
  ]);
  const at = new Date(row.at).toISOString();
  return changes.map(() => at);
});

const server = createServer(handle);
const io = new Server(server, { path: '/socket.io/', serveClient: false, maxHttpBufferSize: 1_000_000 });
const nsp = io.of('/printing-ws');
/** @type {import('socket.io').Socket | undefined} */
let agent;
/** Jobs handed to the agent and not ended, by id. */
const open = new Map();
let completed = 0;

/** Records a state change, then tells the dashboards. */
async function move(job, to) {
  const from = job.state;
  job.state = to;
  const at = await changeStates({ job, from, to });
  if (to === 'completed') job.completedAt = at;
  const view = { id: job.id, state: to, printerId: job.printerId, createdAt: job.createdAt };
  if (job.completedAt) view.completedAt = job.completedAt;
  nsp.to('dashboards').emit('printJobUpdate', { job: view });
}

function dispatch(job) {
  if (!agent) return; // stays queued; a floor has no re-dispatch (the benchmark never disconnects it)
  open.set(job.id, job);
  agent.emit(
    'print:job',
    {
      id: job.id,
      printerId: job.printerId,
      content: job.content,
      encoding: 'base64',
      type: job.type,
      priority: 5,
      timestamp: job.createdAt,
    },
    () => void move(job, 'accepted'),
  );
  void move(job, 'sent');
}

nsp.on('connection', (socket) => {
  const auth = socket.handshake.auth ?? {};
  if (auth.floorAgent === true) {
    agent = socket;
    socket.on('print:job:started', (p, ack) => {
      const job = open.get(p.jobId);
      if (!job) return ack?.({ ok: false });
      move(job, 'printing').then(() => ack?.({ ok: true }));
    });
    socket.on('print:job:completed', (p, ack) => {
      const job = open.get(p.jobId);
      if (!job) return ack?.({ ok: false });
      open.delete(p.jobId);
      completed++;
      move(job, 'completed').then(() => ack?.({ ok: true }));
    });
    socket.on('disconnect', () => {
      if (agent === socket) agent = undefined;
    });
  } else socket.join('dashboards');
});

function handle(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    if (req.method !== 'POST' || req.url !== '/printing/jobs') return sendJson(res, 404, { code: 'NOT_FOUND' });
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return sendJson(res, 400, { code: 'BAD_REQUEST' });
    }
    const job = {
      id: randomUUID(),
      printerId: String(body.printerId),
      type: String(body.type ?? 'receipt'),
      content: String(body.content),
      state: 'queued',
      createdAt: '',
    };
    try {
      job.createdAt = await insertJobs(job);
    } catch {
      return sendJson(res, 500, { code: 'INTERNAL' });
    }
    sendJson(res, 202, { job: { id: job.id, state: 'queued', createdAt: job.createdAt } });
    nsp.to('dashboards').emit('printJobUpdate', { job: { id: job.id, state: 'queued', createdAt: job.createdAt } });
    dispatch(job);
  });
}

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ msg: 'durable floor listening', port: server.address().port })}\n`);
});

serveCommands({
  info: () => ({ open: open.size, completed, agent: agent !== undefined }),
  async close() {
    io.close();
    await store.close();
    return { ok: true };
  },
});
