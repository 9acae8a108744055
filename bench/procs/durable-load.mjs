// Submitters of print jobs through the gateway's REST API.
//   run: closed loop; each of `concurrency` submitters POSTs a job, waits until
//        a dashboard socket sees it completed, then submits the next.
//   trickle: open loop at a fixed rate with an Idempotency-Key per job, retried
//        until the gateway answers 202 (used across a gateway restart); the
//        accepted job ids are checked afterwards.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { io } from 'socket.io-client';
import { serveCommands } from '../lib/ipc.mjs';
import { Samples, summarize } from '../lib/stats.mjs';

const FINAL = new Set(['completed', 'failed', 'unconfirmed', 'expired', 'cancelled']);

let cfg;
/** @type {import('socket.io-client').Socket | undefined} */
let dashboard;
let agent;
const waiters = new Map();
const early = new Map();

function post(path, payload, headers = {}) {
  const body = Buffer.from(JSON.stringify(payload));
  const target = new URL(cfg.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: 'POST',
        path,
        agent,
        timeout: 30_000,
        headers: {
          authorization: `Bearer ${cfg.token}`,
          'content-type': 'application/json',
          'content-length': String(body.length),
          ...headers,
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = { raw: text };
          }
          resolve({ status: res.statusCode, body: json });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

function get(path) {
  return fetch(`${cfg.url}${path}`, { headers: { authorization: `Bearer ${cfg.token}` } }).then(async (r) => ({
    status: r.status,
    body: await r.json(),
  }));
}

function waitFinal(jobId, timeoutMs) {
  const seen = early.get(jobId);
  if (seen) {
    early.delete(jobId);
    return Promise.resolve(seen);
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiters.delete(jobId);
      resolve(undefined);
    }, timeoutMs);
    waiters.set(jobId, (job) => {
      clearTimeout(timer);
      resolve(job);
    });
  });
}

/**
 * Where a job's time goes: the median (and p90) time between its recorded state
 * changes (created → sent → accepted → printing → completed), from the job
 * events of `n` completed jobs spread over the level.
 */
async function stageTimes(ids, n) {
  if (ids.length === 0) return undefined;
  const step = Math.max(1, Math.floor(ids.length / n));
  const picked = ids.filter((_, i) => i % step === 0).slice(0, n);
  const spans = new Map();
  for (const id of picked) {
    const r = await get(`/printing/jobs/${id}`).catch(() => undefined);
    const events = r?.body?.job?.events ?? r?.body?.events;
    if (!Array.isArray(events)) continue;
    for (let i = 1; i < events.length; i++) {
      const key = `${events[i - 1].state}→${events[i].state}`;
      const list = spans.get(key) ?? [];
      list.push(Date.parse(events[i].timestamp) - Date.parse(events[i - 1].timestamp));
      spans.set(key, list);
    }
  }
  return Object.fromEntries([...spans].map(([k, v]) => [k, { ...summarize(v), count: v.length }]));
}

serveCommands({
  // idempotency: every job posted with an Idempotency-Key of its own (the growth scenario's keys).
  async start({ url, token, printerIds, contentBase64, connections = 64, idempotency = false }) {
    cfg = { url, token, printerIds, contentBase64, idempotency };
    agent = new Agent({ keepAlive: true, maxSockets: connections });
    dashboard = io(`${url}/printing-ws`, { transports: ['websocket'], forceNew: true, auth: { token } });
    dashboard.on('printJobUpdate', (e) => {
      const job = e?.job;
      if (!job || !FINAL.has(job.state)) return;
      const received = performance.now();
      const w = waiters.get(job.id);
      const record = { job, received };
      if (w) {
        waiters.delete(job.id);
        w(record);
      } else early.set(job.id, record);
    });
    await new Promise((resolve, reject) => {
      dashboard.once('connect', resolve);
      dashboard.once('connect_error', reject);
    });
    return { ok: true };
  },

  async run({ concurrency, durationMs, warmupMs = 1000, jobTimeoutMs = 30_000 }) {
    early.clear();
    const accept = new Samples();
    const e2e = new Samples();
    const server = new Samples();
    const states = {};
    let completed = 0;
    let submitted = 0;
    let rejected = 0;
    let timedOut = 0;
    let allCompleted = 0;
    let allOther = 0;
    const completedIds = [];
    const start = performance.now();
    const measureFrom = start + warmupMs;
    const stopAt = measureFrom + durationMs;
    const submitter = async (i) => {
      const printerId = cfg.printerIds[i % cfg.printerIds.length];
      while (performance.now() < stopAt) {
        const t0 = performance.now();
        let res;
        try {
          res = await post(
            '/printing/jobs',
            { printerId, content: cfg.contentBase64, type: 'kitchen' },
            cfg.idempotency ? { 'idempotency-key': randomUUID() } : {},
          );
        } catch {
          if (t0 >= measureFrom) rejected++;
          continue;
        }
        const t1 = performance.now();
        const inWindow = t0 >= measureFrom;
        if (res.status !== 202 || !res.body?.job?.id) {
          if (inWindow) rejected++;
          continue;
        }
        if (inWindow) {
          submitted++;
          accept.push(t1 - t0);
        }
        const done = await waitFinal(res.body.job.id, jobTimeoutMs);
        if (!done) {
          if (inWindow) timedOut++;
          continue;
        }
        const state = done.job.state;
        if (state === 'completed') allCompleted++;
        else allOther++;
        if (!inWindow || done.received > stopAt) continue;
        states[state] = (states[state] ?? 0) + 1;
        if (state !== 'completed') continue;
        completed++;
        if (completedIds.length < 5000) completedIds.push(done.job.id);
        e2e.push(done.received - t0);
        if (done.job.completedAt) server.push(Date.parse(done.job.completedAt) - Date.parse(done.job.createdAt));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, i) => submitter(i)));
    const seconds = durationMs / 1000;
    const stages = await stageTimes(completedIds, 40);
    return {
      concurrency,
      durationS: seconds,
      submitted,
      completed,
      rejected,
      timedOut,
      states,
      // Every job of the level, warm-up and tail included (to compare with tickets printed).
      allCompleted,
      allOther,
      jobsPerS: Math.round((completed / seconds) * 10) / 10,
      acceptLatencyMs: summarize(accept.values()),
      e2eLatencyMs: summarize(e2e.values()),
      createdToCompletedMs: summarize(server.values()),
      stagesMs: stages,
    };
  },

  // --- trickle mode (reconnect storm) ---
  trickleStart({ ratePerS }) {
    cfg.trickle = { accepted: [], attempts: 0, retries: 0, stop: false };
    const t = cfg.trickle;
    let seq = 0;
    const submitOne = async () => {
      const key = `bench-${process.pid}-${seq++}-${randomUUID()}`;
      const printerId = cfg.printerIds[seq % cfg.printerIds.length];
      const deadline = Date.now() + 120_000;
      for (let attempt = 0; Date.now() < deadline; attempt++) {
        t.attempts++;
        if (attempt > 0) t.retries++;
        try {
          const res = await post(
            '/printing/jobs',
            { printerId, content: cfg.contentBase64, type: 'kitchen' },
            { 'idempotency-key': key },
          );
          if (res.status === 202 || res.status === 200) {
            t.accepted.push({ id: res.body.job.id, at: Date.now() });
            return;
          }
        } catch {
          // gateway down or draining: try again
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      t.gaveUp = (t.gaveUp ?? 0) + 1;
    };
    const inflight = new Set();
    t.timer = setInterval(() => {
      if (t.stop) return;
      const p = submitOne().finally(() => inflight.delete(p));
      inflight.add(p);
    }, 1000 / ratePerS);
    t.inflight = inflight;
    return { ok: true };
  },

  async trickleStop() {
    const t = cfg.trickle;
    t.stop = true;
    clearInterval(t.timer);
    await Promise.all([...t.inflight]);
    return { accepted: t.accepted.length, attempts: t.attempts, retries: t.retries, gaveUp: t.gaveUp ?? 0 };
  },

  /**
   * States of every job accepted in trickle mode. Waits while jobs are still
   * ending: until none is left, or nothing has ended for `stallMs`, or `waitMs`.
   * `progress` records how many were still open over time.
   */
  async trickleCheck({ waitMs = 180_000, stallMs = 45_000 }) {
    const t = cfg.trickle;
    const ids = new Set(t.accepted.map((a) => a.id));
    const started = Date.now();
    const progress = [];
    let lastOpen = Number.POSITIVE_INFINITY;
    let lastChange = Date.now();
    let open = [];
    for (;;) {
      // Jobs not yet in a final state, listed page by page (every job in this store is ours).
      open = [];
      let cursor;
      do {
        const q = `/printing/jobs?state=queued,sent,accepted,printing&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const r = await get(q).catch(() => undefined);
        if (r?.status !== 200) {
          open = undefined;
          break;
        }
        for (const j of r.body.jobs ?? []) if (ids.has(j.id)) open.push({ id: j.id, state: j.state });
        cursor = r.body.nextCursor;
      } while (cursor);
      if (open) {
        progress.push({ s: Math.round((Date.now() - started) / 1000), open: open.length });
        if (open.length < lastOpen) {
          lastOpen = open.length;
          lastChange = Date.now();
        }
        if (open.length === 0 || Date.now() - lastChange > stallMs) break;
      }
      if (Date.now() - started > waitMs) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    // Final states of every accepted job.
    const states = {};
    const openIds = new Set((open ?? []).map((o) => o.id));
    for (const { id } of t.accepted) {
      let state;
      if (openIds.has(id)) state = open.find((o) => o.id === id).state;
      else {
        const r = await get(`/printing/jobs/${id}`).catch(() => undefined);
        state = r?.body?.job?.state ?? 'unknown';
      }
      states[state] = (states[state] ?? 0) + 1;
    }
    return { accepted: t.accepted.length, states, waitedS: Math.round((Date.now() - started) / 1000), progress };
  },

  stop() {
    dashboard?.close();
    agent?.destroy();
  },
});
