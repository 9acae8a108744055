import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CoreEvents } from '../../src/core/core-events.js';
import type { WebhookEndpoint } from '../../src/core/ports/webhook-store.js';
import { WebhookDeliveryWorker, type WebhookWorkerSettings } from '../../src/core/webhook-delivery-worker.js';
import type { Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrator.js';
import { outboxRow } from '../../src/store/outbox-rows.js';
import { PgAuditLog } from '../../src/store/pg-audit-log.js';
import { PgWebhookStore } from '../../src/store/pg-webhook-store.js';
import { HttpWebhookSender } from '../../src/webhooks/http-webhook-sender.js';
import { FakeClock } from '../support/fake-clock.js';
import { startTestReceiver, type TestReceiver } from './test-receiver.js';

/**
 * The receiver's side of docs/webhooks.md, written from the docs alone: the header's `t` and
 * every `v1`; HMAC-SHA256 of `<t>.<raw body>` with the secret; accept if any `v1` matches.
 */
function verify(rawBody: string, header: string, secret: string): { ok: boolean; t: number } {
  const parts = header.split(',').map((p) => p.split('=') as [string, string]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex'));
  const ok = parts
    .filter(([k]) => k === 'v1')
    .some(([, v]) => v.length === expected.length && timingSafeEqual(Buffer.from(v), expected));
  return { ok, t };
}

const DEFAULTS: Omit<WebhookWorkerSettings, 'instanceId'> = {
  version: 'test',
  pollIntervalMs: 250,
  concurrency: 16,
  endpointConcurrency: 4,
  timeoutMs: 5_000,
  retryBaseMs: 1_000,
  retryCapMs: 60_000,
  giveUpAfterMs: 24 * 3_600_000,
  disableAfterFailures: 20,
  disableAfterMs: 12 * 3_600_000,
};

/** Waits for `condition` to hold, up to a deadline. */
async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

type Open = () => Promise<{ database: Database; teardown: () => Promise<void> }>;

/** Webhook delivery (claim, send, record, retry, disable), run against every database. */
export function describeWebhookDelivery(
  label: string,
  open: Open,
  /** A second connection pool on the same database (PostgreSQL), as a second gateway process has. */
  openSecond?: () => Promise<Database>,
) {
  describe(`webhook delivery (${label})`, () => {
    let database: Database;
    let teardown: () => Promise<void>;
    let store: PgWebhookStore;
    let receiver: TestReceiver;
    let sender: HttpWebhookSender;
    let clock: FakeClock;
    let companyId: string;
    let seq = 0;
    const workers: WebhookDeliveryWorker[] = [];
    const logger = pino({ level: 'silent' });

    beforeAll(async () => {
      ({ database, teardown } = await open());
      await migrate(database);
      store = new PgWebhookStore(database.db);
      sender = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 5_000 });
      receiver = await startTestReceiver();
    });
    afterAll(async () => {
      await receiver.close();
      await sender.close();
      await database.close();
      await teardown();
    });
    beforeEach(async () => {
      clock = new FakeClock(Date.now());
      companyId = `co-${randomUUID()}`;
      await database.db.insertInto('companies').values({ id: companyId, name: 'Hooks' }).execute();
      receiver.received.length = 0;
      receiver.answerWith((_req, res) => res.end('ok'));
    });
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      // What a test left pending is not claimed by the next test's workers.
      await database.db.updateTable('webhookEndpoints').set({ status: 'disabled' }).execute();
    });

    function worker(
      overrides: Partial<WebhookWorkerSettings> = {},
      db: Database = database,
      events = new CoreEvents(),
    ) {
      const w = new WebhookDeliveryWorker({
        store: db === database ? store : new PgWebhookStore(db.db),
        sender,
        audit: new PgAuditLog(db.db, (err) => {
          throw err;
        }),
        events,
        clock,
        logger,
        settings: { ...DEFAULTS, instanceId: `gw-${workers.length + 1}`, ...overrides },
        random: () => 0.5,
      });
      workers.push(w);
      return w;
    }

    async function endpoint(url = receiver.url): Promise<WebhookEndpoint> {
      return store.insertEndpoint({
        id: `whe_${randomUUID()}`,
        companyId,
        branchId: null,
        url,
        description: null,
        events: ['*'],
        secret: `whsec_${randomUUID()}`,
      });
    }

    /** What the sequencer does: a sequenced event and one pending delivery per endpoint. */
    async function emit(endpoints: WebhookEndpoint[], subjectId: string, type = 'job.completed'): Promise<string> {
      seq += 1;
      const row = await database.db
        .insertInto('events')
        .values({
          ...outboxRow({ companyId, branchId: 'b1', type, subjectId, data: { jobId: subjectId, n: seq } }),
          seq,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const e of endpoints) {
        await database.db
          .insertInto('webhookDeliveries')
          .values({
            endpointId: e.id,
            companyId,
            eventId: row.id,
            seq: String(seq),
            orderingKey: subjectId,
            nextAttemptAt: new Date(clock.now()),
          })
          .execute();
      }
      return String(row.id);
    }

    const bodies = () => receiver.received.map((r) => JSON.parse(r.rawBody) as { id: string; data: { jobId: string } });

    /** Runs the worker and the clock until nothing is pending (each retry falls due), or `maxRounds`. */
    async function drain(w: WebhookDeliveryWorker, endpointId: string, maxRounds = 200): Promise<void> {
      for (let round = 0; round < maxRounds; round++) {
        const claimed = await w.runOnce();
        const pending = await store.listDeliveries(endpointId, { limit: 100, state: 'pending' });
        if (pending.length === 0) return;
        if (claimed > 0) continue;
        // Nothing was due: on to the earliest retry (deliveries behind it are due but wait their turn).
        const later = pending.map((d) => d.nextAttemptAt?.getTime() ?? 0).filter((t) => t > clock.now());
        if (later.length > 0) await clock.advance(Math.min(...later) - clock.now());
      }
      const left = await store.listDeliveries(endpointId, { limit: 100, state: 'pending' });
      throw new Error(
        `deliveries still pending: ${JSON.stringify(left.map((d) => [d.eventId, d.attempts, d.nextAttemptAt, d.attemptLog.length]))} now ${new Date(clock.now()).toISOString()}`,
      );
    }

    it('posts the event signed, with headers a receiver can verify by the documented recipe', async () => {
      const e = await endpoint();
      const eventId = await emit([e], 'job-1');
      expect(await worker().runOnce()).toBe(1);
      expect(receiver.received).toHaveLength(1);
      const [req] = receiver.received;
      expect(req?.method).toBe('POST');
      expect(req?.headers['content-type']).toBe('application/json');
      expect(req?.headers['user-agent']).toBe('PrinterMaster-Webhooks/test');
      expect(req?.headers['printermaster-event-id']).toBe(`evt_${eventId}`);
      expect(req?.headers['printermaster-event-type']).toBe('job.completed');
      const { ok, t } = verify(req?.rawBody ?? '', String(req?.headers['printermaster-signature']), e.secret);
      expect(ok).toBe(true);
      expect(t).toBe(Math.floor(clock.now() / 1000));
      expect(verify(req?.rawBody ?? '', String(req?.headers['printermaster-signature']), 'whsec_other').ok).toBe(false);
      const body = JSON.parse(req?.rawBody ?? '');
      expect(body).toMatchObject({
        id: `evt_${eventId}`,
        seq: String(seq),
        type: 'job.completed',
        companyId,
        branchId: 'b1',
        data: { jobId: 'job-1' },
      });
      expect(Number.isNaN(Date.parse(body.createdAt))).toBe(false);
      const [log] = await store.listDeliveries(e.id, { limit: 10 });
      expect(log?.state).toBe('delivered');
      expect(log?.attemptLog).toEqual([
        expect.objectContaining({
          attempt: 1,
          statusCode: 200,
          error: null,
          responseSnippet: 'ok',
          gatewayInstance: 'gw-1',
        }),
      ]);
    });

    it('signs with both secrets during a rotation overlap, and with the new one alone after it', async () => {
      const e = await endpoint();
      const rotated = await store.rotateSecret(e.id, 'whsec_new', clock.now() + 60_000, clock.now());
      await emit([e], 'job-rot');
      const w = worker();
      await w.runOnce();
      const header = String(receiver.received[0]?.headers['printermaster-signature']);
      expect(header.match(/v1=/g)).toHaveLength(2);
      expect(verify(receiver.received[0]?.rawBody ?? '', header, 'whsec_new').ok).toBe(true);
      expect(verify(receiver.received[0]?.rawBody ?? '', header, e.secret).ok).toBe(true);
      expect(rotated?.previousSecret).toBe(e.secret);
      await clock.advance(60_000);
      await emit([e], 'job-rot-2');
      await w.runOnce();
      const later = String(receiver.received[1]?.headers['printermaster-signature']);
      expect(later.match(/v1=/g)).toHaveLength(1);
      expect(verify(receiver.received[1]?.rawBody ?? '', later, 'whsec_new').ok).toBe(true);
    });

    it("keeps one job's events in order while the first is retried, and other jobs' events flow", async () => {
      const e = await endpoint();
      let refusals = 3;
      receiver.answerWith((req, res) => {
        const { data } = JSON.parse(req.rawBody) as { data: { jobId: string; n: number } };
        if (data.jobId === 'job-a' && refusals > 0) {
          refusals -= 1;
          res.statusCode = 503;
          res.end('busy');
        } else res.end('ok');
      });
      const a1 = await emit([e], 'job-a');
      const a2 = await emit([e], 'job-a');
      const b1 = await emit([e], 'job-b');
      const a3 = await emit([e], 'job-a');
      const w = worker();
      // The first pass: job A's first event fails, job B's goes; A's later events wait behind it.
      expect(await w.runOnce()).toBe(2);
      expect(
        bodies()
          .map((b) => b.id)
          .sort(),
      ).toEqual([`evt_${a1}`, `evt_${b1}`].sort());
      expect(await w.runOnce()).toBe(0);
      await drain(w, e.id);
      const jobA = bodies()
        .filter((b) => b.data.jobId === 'job-a')
        .map((b) => b.id);
      expect(jobA).toEqual([`evt_${a1}`, `evt_${a1}`, `evt_${a1}`, `evt_${a1}`, `evt_${a2}`, `evt_${a3}`]);
      const log = await store.listDeliveries(e.id, { limit: 10 });
      expect(log.every((d) => d.state === 'delivered')).toBe(true);
      expect(log.find((d) => d.eventId === a1)?.attemptLog.map((a) => a.statusCode)).toEqual([503, 503, 503, 200]);
    });

    it('waits longer after each failure, with jitter, up to the cap', async () => {
      const e = await endpoint();
      receiver.answerWith((_req, res) => {
        res.statusCode = 500;
        res.end('down');
      });
      await emit([e], 'job-backoff');
      const w = worker({ retryBaseMs: 1_000, retryCapMs: 8_000 });
      const waits: number[] = [];
      for (let i = 0; i < 6; i++) {
        await w.runOnce();
        const [d] = await store.listDeliveries(e.id, { limit: 1 });
        const wait = (d?.nextAttemptAt?.getTime() ?? 0) - clock.now();
        waits.push(wait);
        await clock.advance(wait);
      }
      // random() = 0.5: three quarters of min(cap, base · 2^(n-1)).
      expect(waits).toEqual([750, 1_500, 3_000, 6_000, 6_000, 6_000]);
    });

    it('gives a delivery up 24 h after its first attempt, its last try on the deadline', async () => {
      const e = await endpoint();
      receiver.answerWith((_req, res) => {
        res.statusCode = 502;
        res.end();
      });
      await emit([e], 'job-dead');
      const started = clock.now();
      const w = worker({ retryCapMs: 3_600_000, disableAfterFailures: 1_000_000 });
      await drain(w, e.id);
      const [d] = await store.listDeliveries(e.id, { limit: 1 });
      expect(d?.state).toBe('failed');
      const times = d?.attemptLog.map((a) => a.createdAt.getTime()) ?? [];
      expect(times.at(-1)).toBe(started + 24 * 3_600_000);
      expect(times.at(-2)).toBeLessThan(started + 24 * 3_600_000);
      expect(d?.attemptLog.every((a) => a.statusCode === 502)).toBe(true);
      // The endpoint stays active: a given-up delivery does not disable it by itself.
      expect((await store.findEndpoint(e.id))?.status).toBe('active');
    });

    it('does not disable an endpoint whose receiver is down for 2 minutes, and delivers everything after', async () => {
      const e = await endpoint();
      let down = true;
      receiver.answerWith((_req, res) => {
        res.statusCode = down ? 503 : 200;
        res.end();
      });
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) ids.push(await emit([e], `job-${i % 10}`));
      const w = worker({ retryBaseMs: 5_000, retryCapMs: 1_800_000 });
      for (let s = 0; s < 120; s += 5) {
        await w.runOnce();
        await clock.advance(5_000);
      }
      const during = await store.findEndpoint(e.id);
      expect(during?.consecutiveFailures).toBeGreaterThanOrEqual(20);
      expect(during?.status).toBe('active');
      down = false;
      await drain(w, e.id);
      const delivered = new Set(
        receiver.received
          .filter((r) => r.headers['printermaster-delivery-attempt'])
          .map((r) => JSON.parse(r.rawBody).id),
      );
      expect([...delivered].sort()).toEqual(ids.map((id) => `evt_${id}`).sort());
      const after = await store.findEndpoint(e.id);
      expect(after).toMatchObject({ status: 'active', consecutiveFailures: 0, failingSince: null });
    });

    it('disables an endpoint after a run of failures long in both count and time, with an audit entry', async () => {
      const e = await endpoint();
      receiver.answerWith((_req, res) => {
        res.statusCode = 500;
        res.end();
      });
      const events = new CoreEvents();
      let alerts = 0;
      events.on('webhookEndpointDisabled', () => {
        alerts += 1;
      });
      const w = worker({ disableAfterFailures: 5, disableAfterMs: 3_600_000, retryCapMs: 600_000 }, database, events);
      for (let i = 0; i < 6; i++) await emit([e], `job-${i}`);
      await w.runOnce();
      // Six failures, but within the hour: still active.
      expect(await store.findEndpoint(e.id)).toMatchObject({ status: 'active', consecutiveFailures: 6 });
      for (let round = 0; round < 50 && (await store.findEndpoint(e.id))?.status === 'active'; round++) {
        await clock.advance(600_000);
        await w.runOnce();
      }
      const disabled = await store.findEndpoint(e.id);
      expect(disabled?.status).toBe('disabled');
      expect(disabled?.disabledReason).toMatch(/failed attempts in a row over/);
      expect(clock.now() - (disabled?.failingSince?.getTime() ?? 0)).toBeGreaterThanOrEqual(3_600_000);
      expect(alerts).toBe(1);
      const audit = await database.db
        .selectFrom('auditLog')
        .selectAll()
        .where('targetId', '=', e.id)
        .where('action', '=', 'webhook.disabled')
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]?.actor).toBe('gateway');
      // A disabled endpoint's deliveries stay pending, and are not claimed.
      const before = receiver.received.length;
      await clock.advance(3_600_000);
      expect(await w.runOnce()).toBe(0);
      expect(receiver.received.length).toBe(before);
      // Enabled again: its run is forgotten, its deliveries are due at once and go out.
      receiver.answerWith((_req, res) => res.end('ok'));
      expect(await store.enableEndpoint(e.id, clock.now())).toBe(true);
      await drain(w, e.id);
      expect(await store.findEndpoint(e.id)).toMatchObject({ status: 'active', consecutiveFailures: 0 });
    });

    it('counts a timeout as a failed attempt and retries it', async () => {
      const e = await endpoint();
      receiver.answerWith(() => {
        // Never answers.
      });
      const slow = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 300 });
      try {
        await emit([e], 'job-slow');
        const w = new WebhookDeliveryWorker({
          store,
          sender: slow,
          audit: new PgAuditLog(database.db, () => {}),
          events: new CoreEvents(),
          clock,
          logger,
          settings: { ...DEFAULTS, instanceId: 'gw-slow', timeoutMs: 300 },
          random: () => 0.5,
        });
        await w.runOnce();
        const [d] = await store.listDeliveries(e.id, { limit: 1 });
        expect(d?.state).toBe('pending');
        expect(d?.attemptLog[0]).toMatchObject({ statusCode: null, error: 'timeout after 300 ms' });
        expect(d?.nextAttemptAt?.getTime()).toBeGreaterThan(clock.now());
      } finally {
        await slow.close();
      }
    });

    it('reads only the start of a large answer into the log', async () => {
      const e = await endpoint();
      receiver.answerWith((_req, res) => res.end('x'.repeat(2_000_000)));
      await emit([e], 'job-large');
      await worker().runOnce();
      const [d] = await store.listDeliveries(e.id, { limit: 1 });
      expect(d?.state).toBe('delivered');
      expect(d?.attemptLog[0]?.responseSnippet).toBe('x'.repeat(1024));
    });

    it('follows no redirect: a 3xx is a failed attempt', async () => {
      const e = await endpoint();
      receiver.answerWith((_req, res) => {
        res.statusCode = 302;
        res.setHeader('location', `${receiver.url}/elsewhere`);
        res.end();
      });
      await emit([e], 'job-redirect');
      await worker().runOnce();
      expect(receiver.received).toHaveLength(1);
      const [d] = await store.listDeliveries(e.id, { limit: 1 });
      expect(d).toMatchObject({ state: 'pending' });
      expect(d?.attemptLog[0]?.statusCode).toBe(302);
    });

    it('redelivers a delivered event, and an event that never had a delivery', async () => {
      const e = await endpoint();
      const first = await emit([e], 'job-r');
      const w = worker();
      await w.runOnce();
      const [d] = await store.listDeliveries(e.id, { limit: 1 });
      expect(await store.findDeliveryEventId(e.id, d?.id ?? '')).toBe(first);
      expect(await store.redeliverEvent(e.id, first, clock.now())).toEqual({ status: 'pending', deliveryId: d?.id });
      await w.runOnce();
      const other = await endpoint(`${receiver.url}?other`);
      const second = await emit([other], 'job-s');
      const created = await store.redeliverEvent(e.id, second, clock.now());
      expect(created.status).toBe('pending');
      await w.runOnce();
      await w.runOnce();
      const forE = receiver.received.filter((r) => r.url === '/hook').map((r) => JSON.parse(r.rawBody).id);
      expect(forE.filter((id) => id === `evt_${first}`)).toHaveLength(2);
      expect(forE).toContain(`evt_${second}`);
      expect(await store.redeliverEvent(e.id, '999999999', clock.now())).toEqual({ status: 'not_found' });
    });

    it("redelivers to a branch's endpoint only events of its branch", async () => {
      const branchId = `br-${randomUUID()}`;
      await database.db.insertInto('branches').values({ id: branchId, companyId, name: branchId }).execute();
      const ofBranch = await store.insertEndpoint({
        id: `whe_${randomUUID()}`,
        companyId,
        branchId,
        url: receiver.url,
        description: null,
        events: ['*'],
        secret: 'whsec_branch',
      });
      const eventId = await emit([await endpoint()], 'job-elsewhere');
      expect(await store.redeliverEvent(ofBranch.id, eventId, clock.now())).toEqual({ status: 'not_found' });
    });

    it('polls on its own once started, and wakes at once when told new deliveries were made', async () => {
      const e = await endpoint();
      const w = worker({ pollIntervalMs: 60_000 });
      w.start();
      await clock.advance(0);
      await emit([e], 'job-poll');
      w.wake();
      // Woken claims come at most every 100 ms.
      await clock.advance(100);
      await receiver.waitFor(1);
      // The success is written with the next claim, at most 100 ms later; fake time stays far
      // below the lease (real time would not get there mid-request).
      await until(async () => {
        await clock.advance(100);
        return (await store.listDeliveries(e.id, { limit: 1 }))[0]?.state === 'delivered';
      });
      await emit([e], 'job-poll-2');
      // Not woken: the next poll, a minute later, finds it.
      await clock.advance(60_000);
      await receiver.waitFor(2);
      await w.stop();
      expect(bodies().map((b) => b.data.jobId)).toEqual(['job-poll', 'job-poll-2']);
    });

    it('delivers each event once with two workers claiming at once, in order per job', async () => {
      const e = await endpoint();
      const second = openSecond ? await openSecond() : database;
      try {
        const ids: string[] = [];
        for (let i = 0; i < 120; i++) ids.push(await emit([e], `job-${i % 12}`));
        const w1 = worker({ concurrency: 8, endpointConcurrency: 8 });
        const w2 = worker({ concurrency: 8, endpointConcurrency: 8 }, second);
        for (let round = 0; round < 100; round++) {
          const [n1, n2] = await Promise.all([w1.runOnce(), w2.runOnce()]);
          if (n1 + n2 === 0) break;
        }
        const received = bodies();
        expect(received.map((b) => b.id).sort()).toEqual(ids.map((id) => `evt_${id}`).sort());
        for (let j = 0; j < 12; j++) {
          const perJob = received.filter((b) => b.data.jobId === `job-${j}`).map((b) => Number(b.id.slice(4)));
          expect(perJob).toEqual([...perJob].sort((x, y) => x - y));
        }
        const deliveryIds = new Set(receiver.received.map((r) => r.headers['printermaster-delivery-id']));
        expect(deliveryIds.size).toBe(120);
        // Both took part.
        const log = await store.listDeliveries(e.id, { limit: 100 });
        expect(new Set(log.flatMap((d) => d.attemptLog.map((a) => a.gatewayInstance))).size).toBe(2);
      } finally {
        if (second !== database) await second.close();
      }
    });
  });
}
