// Webhooks on the durable print path: the same closed loop as `durable` (64 submitters by
// default), once with no webhook endpoint and once with one endpoint for every event ('*') on a
// local receiver, alternated over rounds. Reports the durable path's jobs/s both ways, the events
// per second the receiver got, and the delivery lag (receiver's clock minus the event's createdAt).
import { createServer } from 'node:http';
import { sleep } from '../lib/proc.mjs';
import { summarize } from '../lib/stats.mjs';
import { runStore } from './durable.mjs';

/** A receiver on 127.0.0.1 that answers 200 at once and records what arrived, and when. */
async function startReceiver() {
  const arrivals = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      res.end('ok');
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        arrivals.push({ at, id: body.id, type: body.type, createdAt: Date.parse(body.createdAt) });
      } catch {
        arrivals.push({ at, id: undefined });
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/hooks`, arrivals, close: () => server.close() };
}

/** Waits until nothing has arrived for `quietMs` (the gateway has caught up), at most `maxMs`. */
async function settle(arrivals, quietMs = 1_500, maxMs = 60_000) {
  const end = Date.now() + maxMs;
  let seen = -1;
  while (Date.now() < end && arrivals.length !== seen) {
    seen = arrivals.length;
    await sleep(quietMs);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? undefined : s[Math.floor((s.length - 1) / 2)];
};

/** @param {import('../lib/context.mjs').Context} ctx */
export async function runWebhooks(ctx, { stores = ctx.opts.stores } = {}) {
  const concurrency = Math.max(...ctx.opts.connections);
  const rounds = ctx.opts.rounds ?? 1;
  const out = {
    description: `the durable path (POST /printing/jobs → agent → printer → completed) at ${concurrency} submitters, without and with one webhook endpoint for every event on a receiver on 127.0.0.1 (answers 200 at once); alternated, ${rounds} round(s) each`,
    concurrency,
    stores: {},
  };
  for (const store of stores) {
    const off = [];
    const on = [];
    for (let round = 1; round <= rounds; round++) {
      ctx.log(`webhooks: ${store} round ${round}: without webhooks`);
      const plain = await runStore(ctx, store, { connectionsList: [concurrency], label: `-hooks-off-${round}` });
      off.push(plain.levels[0]);
      ctx.log(`webhooks: ${store} round ${round}: with a webhook endpoint for every event`);
      const receiver = await startReceiver();
      try {
        let levelStart = 0;
        const hooked = await runStore(ctx, store, {
          connectionsList: [concurrency],
          label: `-hooks-on-${round}`,
          env: { PRINTERMASTER_WEBHOOK_ALLOW_PRIVATE: 'true' },
          beforeLoad: async (gw) => {
            const res = await fetch(`${gw.url}/admin/webhooks`, {
              method: 'POST',
              headers: { authorization: `Bearer ${gw.creds.adminJwt}`, 'content-type': 'application/json' },
              body: JSON.stringify({ url: receiver.url, events: ['*'], companyId: gw.creds.companyId }),
            });
            if (res.status !== 201) throw new Error(`webhook registration: ${res.status} ${await res.text()}`);
            levelStart = Date.now();
          },
          // The gateway runs until its deliveries have caught up: every event reaches the receiver.
          afterLevels: () => settle(receiver.arrivals),
        });
        const level = hooked.levels[0];
        const arrivals = receiver.arrivals.filter((a) => a.at >= levelStart);
        const ids = arrivals.map((a) => a.id);
        const first = arrivals[0]?.at ?? 0;
        const last = arrivals.at(-1)?.at ?? 0;
        const lag = summarize(arrivals.filter((a) => Number.isFinite(a.createdAt)).map((a) => a.at - a.createdAt));
        const result = {
          ...level,
          webhooks: {
            events: arrivals.length,
            duplicates: ids.length - new Set(ids).size,
            eventsPerS: last > first ? Math.round((arrivals.length / ((last - first) / 1000)) * 10) / 10 : undefined,
            lagMs: lag,
            byType: Object.fromEntries(
              [...new Set(arrivals.map((a) => a.type))].map((t) => [t, arrivals.filter((a) => a.type === t).length]),
            ),
          },
        };
        on.push(result);
        ctx.log(
          `  webhooks ${store} round ${round}: ${level.jobsPerS} jobs/s, ${result.webhooks.events} events (${result.webhooks.eventsPerS}/s), lag p50 ${lag.p50} ms p99 ${lag.p99} ms, duplicates ${result.webhooks.duplicates}`,
        );
      } finally {
        receiver.close();
      }
    }
    const offJobs = median(off.map((l) => l.jobsPerS));
    const onJobs = median(on.map((l) => l.jobsPerS));
    out.stores[store] = {
      off,
      on,
      jobsPerSOff: offJobs,
      jobsPerSOn: onJobs,
      throughputLossPct: offJobs ? Math.round((1 - onJobs / offJobs) * 1000) / 10 : undefined,
    };
    ctx.log(
      `webhooks ${store}: ${offJobs} jobs/s without, ${onJobs} with (${out.stores[store].throughputLossPct} % lost)`,
    );
  }
  return out;
}
