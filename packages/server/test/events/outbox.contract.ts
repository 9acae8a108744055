import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewPrintJob } from '../../src/core/ports/print-job-store.js';
import type { Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrator.js';
import { createStores, type Stores } from '../../src/store/stores.js';

interface EventRow {
  id: string;
  seq: string | null;
  type: string;
  subjectId: string;
  branchId: string | null;
  data: Record<string, unknown>;
}

/**
 * The outbox as every store writes it, and its sequencer with the webhook fan-out: run against
 * PGlite and PostgreSQL.
 */
export function describeOutbox(
  label: string,
  open: () => Promise<{ database: Database; teardown: () => Promise<void> }>,
) {
  describe(`event outbox (${label})`, () => {
    let database: Database;
    let teardown: () => Promise<void>;
    let stores: Stores;
    let companyId: string;
    let branchId: string;
    let otherBranchId: string;

    beforeAll(async () => {
      ({ database, teardown } = await open());
      await migrate(database);
      stores = createStores(database, (err) => {
        throw err;
      });
      companyId = randomUUID();
      branchId = randomUUID();
      otherBranchId = randomUUID();
      await stores.tenants.createCompany({ id: companyId, name: 'Acme' });
      await stores.tenants.createBranch({ id: branchId, companyId, name: 'Downtown' });
      await stores.tenants.createBranch({ id: otherBranchId, companyId, name: 'Harbour' });
    });
    afterAll(async () => {
      await stores.flush();
      await database.close();
      await teardown();
    });

    const eventsOf = async (subjectId: string): Promise<EventRow[]> =>
      (await database.db
        .selectFrom('events')
        .select(['id', 'seq', 'type', 'subjectId', 'branchId', 'data'])
        .where('subjectId', '=', subjectId)
        .orderBy('id')
        .execute()) as EventRow[];

    const newJob = (overrides: Partial<NewPrintJob> = {}): NewPrintJob => ({
      id: randomUUID(),
      companyId,
      branchId,
      printerId: 'p1',
      type: 'kitchen',
      priority: 5,
      copies: 1,
      content: new Uint8Array([0x1b, 0x40, 0x41, 0x0a]),
      orderData: { table: 7 },
      reprintOf: null,
      usefulUntil: new Date(Date.now() + 60_000),
      createdAt: new Date(),
      actor: 'till-1',
      ...overrides,
    });

    it('writes a job’s creation and each state change as events, in order, with the job’s data', async () => {
      const job = newJob();
      await stores.jobs.insert(job, { key: `k-${job.id}`, requestHash: 'h', notBefore: new Date(0) });
      await stores.jobs.transition(job.id, ['queued'], 'sent', 'dispatcher', {
        deviceId: 'dev-1',
        incrementAttempts: true,
      });
      await stores.jobs.transition(job.id, ['sent'], 'accepted', 'agent:dev-1');
      await stores.jobs.transition(job.id, ['accepted', 'printing'], 'completed', 'agent:dev-1', {
        completedAt: new Date(),
      });
      const events = await eventsOf(job.id);
      expect(events.map((e) => e.type)).toEqual(['job.queued', 'job.sent', 'job.accepted', 'job.completed']);
      expect(events[0]?.data).toMatchObject({ jobId: job.id, state: 'queued', previousState: null, actor: 'till-1' });
      expect(events[1]?.data).toMatchObject({
        jobId: job.id,
        printerId: 'p1',
        branchId,
        state: 'sent',
        previousState: 'queued',
        actor: 'dispatcher',
        type: 'kitchen',
        attempts: 1,
        deviceId: 'dev-1',
        reprintOf: null,
      });
      expect(events[3]?.data).toMatchObject({ state: 'completed', previousState: 'accepted' });
      // Instants as the API writes them everywhere: UTC, milliseconds, `Z`, whatever the session's time zone.
      const instant = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
      for (const e of events) {
        expect(e.data).toMatchObject({
          createdAt: expect.stringMatching(instant),
          updatedAt: expect.stringMatching(instant),
        });
      }
      const queued = events[0]?.data as { createdAt: string } | undefined;
      expect(new Date(queued?.createdAt ?? 0).getTime()).toBe(job.createdAt.getTime());
      // Neither the idempotency key nor the order data nor the content leave in an event.
      expect(JSON.stringify(events)).not.toContain(`k-${job.id}`);
      expect(events[0]?.data).not.toHaveProperty('orderData');
      expect(events.every((e) => e.seq === null && e.branchId === branchId)).toBe(true);
    });

    it('writes jobs stored together and moved together each with its own events', async () => {
      const jobs = [newJob({ actor: 'a' }), newJob({ actor: 'b' }), newJob({ actor: 'c' })];
      await Promise.all(jobs.map((j) => stores.jobs.insert(j)));
      await Promise.all(jobs.map((j) => stores.jobs.transition(j.id, ['queued'], 'sent', 'dispatcher')));
      for (const [i, j] of jobs.entries()) {
        const events = await eventsOf(j.id);
        expect(events.map((e) => e.type)).toEqual(['job.queued', 'job.sent']);
        expect(events[0]?.data.actor).toBe(['a', 'b', 'c'][i]);
      }
    });

    it('writes no event for a change that does not happen, and the history and the outbox always agree', async () => {
      const job = newJob();
      await stores.jobs.insert(job);
      // Not in `sent`: nothing moves, nothing is written.
      expect(await stores.jobs.transition(job.id, ['sent'], 'accepted', 'agent')).toBeUndefined();
      expect((await eventsOf(job.id)).map((e) => e.type)).toEqual(['job.queued']);
      await stores.jobs.transition(job.id, ['queued'], 'cancelled', 'user', { reason: 'table left' });
      const history = await database.db
        .selectFrom('printJobEvents')
        .select('toState')
        .where('jobId', '=', job.id)
        .orderBy('id')
        .execute();
      const outbox = await eventsOf(job.id);
      expect(outbox.map((e) => e.type)).toEqual(history.map((h) => `job.${h.toState}`));
      expect(outbox.at(-1)?.data).toMatchObject({ reason: 'table left', actor: 'user' });
    });

    it('rolls the event back with the change: a failed job insert leaves neither', async () => {
      const job = newJob();
      await stores.jobs.insert(job);
      // The same id again violates the primary key: the statement, events included, is undone.
      await expect(stores.jobs.insert({ ...job, actor: 'again' })).rejects.toThrow();
      const events = await eventsOf(job.id);
      expect(events.map((e) => e.data.actor)).toEqual([job.actor]);
    });

    it('writes agent.connected and agent.disconnected with the sessions, but no disconnect of a replaced session', async () => {
      const deviceId = `dev-${randomUUID().slice(0, 8)}`;
      await stores.devices.upsert({ companyId, branchId, deviceId, hostname: 'till-pc', appVersion: '2.1.0' });
      const session = (id: string) => ({
        id,
        companyId,
        branchId,
        deviceId,
        gatewayInstance: 'gw-1',
        remoteAddress: '10.0.0.5',
        protocolVersion: 2,
        appVersion: '2.1.0',
      });
      const [first, second] = [randomUUID(), randomUUID()];
      await stores.devices.openSession(session(first));
      // A newer socket of the same device, then the old one closes: the agent is still connected.
      await stores.devices.openSession(session(second));
      await stores.devices.closeSession(first, 'transport close');
      await stores.devices.closeSession(second, 'ping timeout');
      const events = await eventsOf(deviceId);
      expect(events.map((e) => [e.type, e.data.sessionId])).toEqual([
        ['agent.connected', first],
        ['agent.connected', second],
        ['agent.disconnected', second],
      ]);
      expect(events[0]?.data).toMatchObject({ deviceId, branchId, hostname: 'till-pc', appVersion: '2.1.0' });
      expect(events[2]?.data).toMatchObject({ reason: 'ping timeout' });
    });

    it('writes agent.disconnected for the sessions a sweep closes', async () => {
      const deviceId = `dev-${randomUUID().slice(0, 8)}`;
      const id = randomUUID();
      await stores.devices.openSession({
        id,
        companyId,
        branchId,
        deviceId,
        gatewayInstance: `gone-${id}`,
        remoteAddress: null,
        protocolVersion: 2,
      });
      expect(await stores.devices.closeOrphanSessions(`gone-${id}`, 'gateway restarted')).toBe(1);
      const events = await eventsOf(deviceId);
      expect(events.map((e) => [e.type, e.data.reason])).toEqual([
        ['agent.connected', null],
        ['agent.disconnected', 'gateway restarted'],
      ]);
    });

    it('writes printer.status_changed only when the stored status changes', async () => {
      const printerId = randomUUID();
      await stores.printers.insert({ id: printerId, companyId, branchId, name: `P-${printerId.slice(0, 6)}` });
      const report = (status: 'online' | 'offline' | 'error') =>
        stores.printers.updateStatuses(branchId, [{ id: printerId, status, seenAt: new Date() }]);
      await report('online');
      await report('online');
      await report('error');
      await stores.printers.update(printerId, { status: 'error' });
      await stores.printers.update(printerId, { status: 'offline' });
      const events = await eventsOf(printerId);
      expect(events.map((e) => [e.data.previousStatus, e.data.status])).toEqual([
        ['unknown', 'online'],
        ['online', 'error'],
        ['error', 'offline'],
      ]);
      expect(events.every((e) => e.type === 'printer.status_changed')).toBe(true);
      expect(events[0]?.data).toMatchObject({ printerId, branchId, name: `P-${printerId.slice(0, 6)}` });
    });

    it('writes agent.health_alert once per episode of a poor connection', async () => {
      const deviceId = `dev-${randomUUID().slice(0, 8)}`;
      const { healthAlert } = await import('../../src/core/health-service.js');
      const sample = (averageLatency: number, quality: 'good' | 'poor') => ({
        companyId,
        branchId,
        deviceId,
        averageLatency,
        packetLossRate: 0,
        connectionQuality: quality,
        report: {},
      });
      await stores.health.append(sample(50, 'good'), 10, healthAlert);
      await stores.health.append(sample(900, 'poor'), 10, healthAlert);
      await stores.health.append(sample(950, 'poor'), 10, healthAlert);
      await stores.health.append(sample(60, 'good'), 10, healthAlert);
      await stores.health.append(sample(990, 'poor'), 10, healthAlert);
      const events = await eventsOf(deviceId);
      expect(events.map((e) => [e.type, e.data.averageLatency])).toEqual([
        ['agent.health_alert', 900],
        ['agent.health_alert', 990],
      ]);
      expect(events[0]?.data).toMatchObject({ alerts: ['poor_connection_quality', 'high_latency'], deviceId });
    });

    describe('sequencer', () => {
      const endpoint = async (events: string[], extra: { branchId?: string; status?: string } = {}) => {
        const id = `we_${randomUUID().slice(0, 8)}`;
        await database.db
          .insertInto('webhookEndpoints')
          .values({
            id,
            companyId,
            branchId: extra.branchId ?? null,
            url: 'http://127.0.0.1:9/hook',
            description: null,
            events,
            secret: 'whsec_test',
            previousSecretUntil: null,
            failingSince: null,
            createdAt: new Date(),
            updatedAt: new Date(),
            ...(extra.status ? { status: extra.status } : {}),
          })
          .execute();
        return id;
      };

      it('gives every waiting event the next seq, contiguous, in id order, once', async () => {
        await stores.events.sequence(10_000);
        const job = newJob();
        await stores.jobs.insert(job);
        await stores.jobs.transition(job.id, ['queued'], 'sent', 'dispatcher');
        const before = await database.db
          .selectFrom('events')
          .select((eb) => eb.fn.max('seq').as('top'))
          .executeTakeFirstOrThrow();
        const first = await stores.events.sequence(1);
        expect(first.count).toBe(1);
        expect(BigInt(first.lastSeq)).toBe(BigInt(String(before.top ?? 0)) + 1n);
        const second = await stores.events.sequence(100);
        expect(second.count).toBe(1);
        expect(BigInt(second.lastSeq)).toBe(BigInt(first.lastSeq) + 1n);
        expect(await stores.events.sequence(100)).toMatchObject({ count: 0, lastSeq: second.lastSeq });
        const events = await eventsOf(job.id);
        expect(events.map((e) => String(e.seq))).toEqual([first.lastSeq, second.lastSeq]);
      });

      it('creates a delivery for each endpoint whose company, branch and filter match, disabled ones too (they wait)', async () => {
        await stores.events.sequence(10_000);
        const all = await endpoint(['*']);
        const jobs = await endpoint(['job.*']);
        const completedOnly = await endpoint(['job.completed']);
        const agents = await endpoint(['agent.connected', 'printer.status_changed']);
        const otherBranch = await endpoint(['job.*'], { branchId: otherBranchId });
        const thisBranch = await endpoint(['job.queued'], { branchId });
        const disabled = await endpoint(['*'], { status: 'disabled' });
        const job = newJob();
        await stores.jobs.insert(job);
        const batch = await stores.events.sequence(100);
        expect(batch.count).toBe(1);
        const deliveries = await database.db
          .selectFrom('webhookDeliveries')
          .selectAll()
          .where('endpointId', 'in', [all, jobs, completedOnly, agents, otherBranch, thisBranch, disabled])
          .execute();
        expect(deliveries.map((d) => d.endpointId).sort()).toEqual([all, jobs, thisBranch, disabled].sort());
        expect(batch.deliveries).toBeGreaterThanOrEqual(4);
        for (const d of deliveries) {
          expect(d).toMatchObject({ companyId, orderingKey: job.id, state: 'pending' });
          expect(String(d.seq)).toBe(batch.lastSeq);
        }
        await database.db.deleteFrom('webhookEndpoints').where('companyId', '=', companyId).execute();
      });

      it('lists sequenced events after a cursor, by branch and type', async () => {
        await stores.events.sequence(10_000);
        const start = (await stores.events.sequence(1)).lastSeq;
        const here = newJob();
        const there = newJob({ branchId: otherBranchId });
        await stores.jobs.insert(here);
        await stores.jobs.insert(there);
        await stores.jobs.transition(here.id, ['queued'], 'cancelled', 'user');
        // Not sequenced yet: not listed.
        expect(await stores.events.list({ companyId, afterSeq: start, limit: 10 })).toEqual([]);
        await stores.events.sequence(100);
        const all = await stores.events.list({ companyId, afterSeq: start, limit: 10 });
        expect(all.map((e) => e.type)).toEqual(['job.queued', 'job.queued', 'job.cancelled']);
        expect(all.map((e) => BigInt(e.seq))).toEqual([1n, 2n, 3n].map((n) => BigInt(start) + n));
        const branch = await stores.events.list({ companyId, branchId: otherBranchId, afterSeq: start, limit: 10 });
        expect(branch.map((e) => e.subjectId)).toEqual([there.id]);
        const cancelled = await stores.events.list({ companyId, types: ['job.cancelled'], afterSeq: start, limit: 10 });
        expect(cancelled.map((e) => e.subjectId)).toEqual([here.id]);
        const family = await stores.events.list({ companyId, types: ['agent.*', 'job.*'], afterSeq: start, limit: 2 });
        expect(family).toHaveLength(2);
        const none = await stores.events.list({ companyId: randomUUID(), afterSeq: start, limit: 10 });
        expect(none).toEqual([]);
        const raw = await sql<{ n: string }>`select count(*)::text as n from events where seq is null`.execute(
          database.db,
        );
        expect(raw.rows[0]?.n).toBe('0');
      });
    });
  });
}
