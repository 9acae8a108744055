import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CoreEvents } from '../../src/core/core-events.js';
import type { WebhookSender } from '../../src/core/ports/webhook-sender.js';
import type { WebhookAttemptOutcome, WebhookEndpoint } from '../../src/core/ports/webhook-store.js';
import { WebhookDeliveryWorker, type WebhookWorkerSettings } from '../../src/core/webhook-delivery-worker.js';
import type { Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrator.js';
import { outboxRow } from '../../src/store/outbox-rows.js';
import { PgAuditLog } from '../../src/store/pg-audit-log.js';
import { PgEventStore } from '../../src/store/pg-event-store.js';
import { PgWebhookStore } from '../../src/store/pg-webhook-store.js';
import { HttpWebhookSender } from '../../src/webhooks/http-webhook-sender.js';
import { FakeClock } from '../support/fake-clock.js';
import { startTestReceiver, type TestReceiver } from './test-receiver.js';

const SETTINGS: WebhookWorkerSettings = {
  instanceId: 'gw-races',
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

const OK: WebhookAttemptOutcome = { statusCode: 200, latencyMs: 3, error: null, responseSnippet: 'ok' };
const DOWN: WebhookAttemptOutcome = { statusCode: 503, latencyMs: 3, error: null, responseSnippet: 'down' };

/** Waits for `condition` to hold, up to a deadline. */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

type Open = () => Promise<{ database: Database; teardown: () => Promise<void> }>;

/**
 * Webhook deliveries where the endpoint changes under them (disabled, deleted, its filter) and
 * where a lease runs out, run against every database. Events go through the real sequencer.
 */
export function describeWebhookDeliveryRaces(label: string, open: Open) {
  describe(`webhook delivery races (${label})`, () => {
    let database: Database;
    let teardown: () => Promise<void>;
    let store: PgWebhookStore;
    let events: PgEventStore;
    let receiver: TestReceiver;
    let http: HttpWebhookSender;
    let clock: FakeClock;
    let companyId: string;
    const workers: WebhookDeliveryWorker[] = [];
    const logger = pino({ level: 'silent' });

    beforeAll(async () => {
      ({ database, teardown } = await open());
      await migrate(database);
      store = new PgWebhookStore(database.db);
      events = new PgEventStore(database.db);
      http = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 5_000 });
      receiver = await startTestReceiver();
    });
    afterAll(async () => {
      await receiver.close();
      await http.close();
      await database.close();
      await teardown();
    });
    beforeEach(async () => {
      clock = new FakeClock(Date.now());
      companyId = `co-${randomUUID()}`;
      await database.db.insertInto('companies').values({ id: companyId, name: 'Races' }).execute();
      receiver.received.length = 0;
      receiver.answerWith((_req, res) => res.end('ok'));
    });
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      await database.db.updateTable('webhookEndpoints').set({ status: 'disabled' }).execute();
    });

    function worker(overrides: Partial<WebhookWorkerSettings> = {}, sender: WebhookSender = http) {
      const w = new WebhookDeliveryWorker({
        store,
        sender,
        audit: new PgAuditLog(database.db, (err) => {
          throw err;
        }),
        events: new CoreEvents(),
        clock,
        logger,
        settings: { ...SETTINGS, ...overrides },
        random: () => 0.5,
      });
      workers.push(w);
      return w;
    }

    async function endpoint(tag: string, patterns = ['*']): Promise<WebhookEndpoint> {
      return store.insertEndpoint({
        id: `whe_${randomUUID()}`,
        companyId,
        branchId: null,
        url: `${receiver.url}?${tag}`,
        description: null,
        events: patterns,
        secret: `whsec_${randomUUID()}`,
      });
    }

    /** Writes an outbox event as a store does and lets the sequencer number it and fan it out. */
    async function append(subjectId: string, type = 'job.completed'): Promise<string> {
      const row = await database.db
        .insertInto('events')
        .values(outboxRow({ companyId, branchId: null, type, subjectId, data: { jobId: subjectId, type } }))
        .returning('id')
        .executeTakeFirstOrThrow();
      await events.sequence(100);
      // The sequencer dates deliveries with the database's clock: the test's clock moves past it.
      clock.jump(60_000);
      return `evt_${row.id}`;
    }

    const receivedBy = (tag: string) =>
      receiver.received.filter((r) => r.url.endsWith(`?${tag}`)).map((r) => JSON.parse(r.rawBody).id as string);

    async function runUntilIdle(w: WebhookDeliveryWorker): Promise<void> {
      for (let round = 0; round < 20; round++) if ((await w.runOnce()) === 0) return;
    }

    it('makes deliveries for a disabled endpoint and sends them, in order, once it is enabled', async () => {
      const e = await endpoint('off');
      expect(await store.disableEndpoint(e.id, 'disabled by user:u1', clock.now())).toBe(true);
      const sent = [await append('job-x', 'job.queued'), await append('job-x', 'job.sent')];
      const other = await append('job-y', 'job.queued');
      sent.push(await append('job-x', 'job.completed'));
      const w = worker();
      expect(await w.runOnce()).toBe(0);
      const waiting = await store.listDeliveries(e.id, { limit: 10, state: 'pending' });
      expect(waiting).toHaveLength(4);
      // Parked past any due time, so that claims do not walk them, and shown with no next attempt.
      expect(waiting.map((d) => d.nextAttemptAt)).toEqual([null, null, null, null]);
      const parked = await database.db
        .selectFrom('webhookDeliveries')
        .select('nextAttemptAt')
        .where('endpointId', '=', e.id)
        .execute();
      expect(parked.map((d) => d.nextAttemptAt.getUTCFullYear())).toEqual([9999, 9999, 9999, 9999]);
      expect(await store.enableEndpoint(e.id, clock.now())).toBe(true);
      const due = await store.listDeliveries(e.id, { limit: 10, state: 'pending' });
      expect(due.every((d) => d.nextAttemptAt !== null && d.nextAttemptAt.getTime() <= clock.now())).toBe(true);
      await runUntilIdle(w);
      expect(receivedBy('off').filter((id) => id !== other)).toEqual(sent);
      expect(receivedBy('off')).toContain(other);
    });

    it('keeps making deliveries for an endpoint disabled after a run of failures', async () => {
      const e = await endpoint('auto');
      receiver.answerWith((_req, res) => {
        res.statusCode = 503;
        res.end('down');
      });
      const first = await append('job-z', 'job.queued');
      const w = worker({ disableAfterFailures: 1, disableAfterMs: 0 });
      expect(await w.runOnce()).toBe(1);
      expect((await store.findEndpoint(e.id))?.status).toBe('disabled');
      const later = [await append('job-z', 'job.printing'), await append('job-z', 'job.completed')];
      receiver.answerWith((_req, res) => res.end('ok'));
      expect(await w.runOnce()).toBe(0);
      expect(await store.enableEndpoint(e.id, clock.now())).toBe(true);
      await runUntilIdle(w);
      expect(receivedBy('auto')).toEqual([first, first, ...later]);
      const log = await store.listDeliveries(e.id, { limit: 10 });
      expect(log.map((d) => d.state)).toEqual(['delivered', 'delivered', 'delivered']);
    });

    it("records the other endpoints' successes when an endpoint is deleted while its delivery is in flight", async () => {
      const kept = await endpoint('kept');
      const doomed = await endpoint('doomed');
      let held: ServerResponse | undefined;
      receiver.answerWith((req, res) => {
        if (req.url.endsWith('?doomed')) held = res;
        else res.end('ok');
      });
      // Counts answers the worker has been handed: its success is queued by then.
      let answered = 0;
      const sender: WebhookSender = {
        send: async (request) => {
          const response = await http.send(request);
          answered += 1;
          return response;
        },
      };
      await append('job-d');
      const w = worker({ pollIntervalMs: 60_000 }, sender);
      w.start();
      await clock.advance(0);
      await receiver.waitFor(2);
      await until(() => held !== undefined && answered === 1);
      expect(await store.deleteEndpoint(doomed.id)).toBe(true);
      held?.end('ok');
      await until(() => answered === 2);
      // Both successes go in the next claim's write, together.
      await until(async () => {
        if (w.inFlight === 0) return true;
        await clock.advance(100);
        return false;
      });
      const [delivery] = await store.listDeliveries(kept.id, { limit: 1 });
      expect(delivery?.state).toBe('delivered');
      expect(delivery?.attemptLog).toHaveLength(1);
    });

    it('writes nothing for an attempt whose delivery was deleted meanwhile', async () => {
      const kept = await endpoint('kept');
      const doomed = await endpoint('doomed');
      await append('job-e');
      const claimed = await store.claimDue({ now: clock.now(), limit: 10, leaseMs: 60_000, excludeEndpointIds: [] });
      expect(claimed).toHaveLength(2);
      expect(await store.deleteEndpoint(doomed.id)).toBe(true);
      const ofDoomed = claimed.find((d) => d.endpointId === doomed.id);
      const ofKept = claimed.find((d) => d.endpointId === kept.id);
      if (!ofDoomed || !ofKept) throw new Error('both endpoints should have a delivery');
      expect(await store.recordFailure(ofDoomed, DOWN, { retryAt: clock.now() + 1_000 }, 'gw-1', clock.now())).toBe(
        undefined,
      );
      const recorded = await store.recordSuccesses(
        [
          { delivery: ofDoomed, outcome: OK },
          { delivery: ofKept, outcome: OK },
        ],
        'gw-1',
        clock.now(),
      );
      expect(recorded).toEqual([ofKept.id]);
      expect((await store.listDeliveries(kept.id, { limit: 1 }))[0]?.state).toBe('delivered');
    });

    it('ignores a late outcome from a claim whose lease ran out and was taken by another claim', async () => {
      const e = await endpoint('lease');
      await append('job-l');
      const options = { limit: 10, leaseMs: 1_000, excludeEndpointIds: [] };
      const [stale] = await store.claimDue({ now: clock.now(), ...options });
      clock.jump(1_000);
      const [fresh] = await store.claimDue({ now: clock.now(), ...options, leaseMs: 60_000 });
      if (!stale || !fresh) throw new Error('both claims should get the delivery');
      expect(fresh).toMatchObject({ id: stale.id, attempt: 2 });
      expect(await store.recordFailure(stale, DOWN, { giveUp: true }, 'gw-old', clock.now())).toBeUndefined();
      await store.release(stale);
      expect(await store.recordSuccesses([{ delivery: stale, outcome: OK }], 'gw-old', clock.now())).toEqual([]);
      const [during] = await store.listDeliveries(e.id, { limit: 1 });
      expect(during).toMatchObject({ state: 'pending', attempts: 2, attemptLog: [] });
      // The fresh claim still holds it.
      expect(await store.claimDue({ now: clock.now(), ...options })).toEqual([]);
      expect(await store.recordSuccesses([{ delivery: fresh, outcome: OK }], 'gw-new', clock.now())).toEqual([
        fresh.id,
      ]);
      const [after] = await store.listDeliveries(e.id, { limit: 1 });
      expect(after?.state).toBe('delivered');
      expect(after?.attemptLog).toEqual([expect.objectContaining({ attempt: 2, gatewayInstance: 'gw-new' })]);
    });

    it('records the outcome of a claim whose lease ran out while nobody else took the delivery', async () => {
      const e = await endpoint('late');
      await append('job-m');
      const [late] = await store.claimDue({ now: clock.now(), limit: 10, leaseMs: 1_000, excludeEndpointIds: [] });
      if (!late) throw new Error('the delivery should be claimed');
      clock.jump(5_000);
      const run = await store.recordFailure(late, DOWN, { retryAt: clock.now() + 1_000 }, 'gw-1', clock.now());
      expect(run?.consecutiveFailures).toBe(1);
      const [d] = await store.listDeliveries(e.id, { limit: 1 });
      expect(d).toMatchObject({ state: 'pending', attempts: 1 });
      expect(d?.attemptLog).toHaveLength(1);
    });

    it("refuses to redeliver an event the endpoint's filter does not match, and makes no delivery", async () => {
      const e = await endpoint('filtered', ['job.completed']);
      const agentEvent = (await append('agent-1', 'agent.connected')).slice(4);
      const jobEvent = (await append('job-f', 'job.completed')).slice(4);
      expect(await store.redeliverEvent(e.id, agentEvent, clock.now())).toEqual({
        status: 'filtered',
        eventType: 'agent.connected',
      });
      const log = await store.listDeliveries(e.id, { limit: 10 });
      expect(log.map((d) => d.eventType)).toEqual(['job.completed']);
      expect(await store.redeliverEvent(e.id, jobEvent, clock.now())).toMatchObject({ status: 'pending' });
    });
  });
}
