import { randomUUID } from 'node:crypto';
import type { JobState } from '@printermaster/protocol';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/core/gateway-error.js';
import type { NewPrintJob } from '../../src/core/ports/print-job-store.js';
import type { Database } from '../../src/store/database.js';
import { loadMigrations, migrate, migrationStatus } from '../../src/store/migrator.js';
import { createStores, type Stores } from '../../src/store/stores.js';

/** The store suite, run against every database the gateway supports. */
export function describeStore(
  label: string,
  open: () => Promise<{ database: Database; teardown: () => Promise<void> }>,
) {
  describe(`store (${label})`, () => {
    let database: Database;
    let teardown: () => Promise<void>;
    let stores: Stores;
    let companyId: string;
    let branchId: string;

    beforeAll(async () => {
      ({ database, teardown } = await open());
      await migrate(database);
      stores = createStores(database, (err) => {
        throw err;
      });
      companyId = randomUUID();
      branchId = randomUUID();
      await stores.tenants.createCompany({ id: companyId, name: 'Acme' });
      await stores.tenants.createBranch({ id: branchId, companyId, name: 'Downtown' });
    });
    afterAll(async () => {
      await database.close();
      await teardown();
    });

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
      actor: 'test',
      ...overrides,
    });

    it('applies migrations once and reports nothing pending afterwards', async () => {
      expect(await migrate(database)).toEqual([]);
      const status = await migrationStatus(database);
      expect(status.pending).toEqual([]);
      expect(status.applied.map((m) => m.version)).toContain(1);
      expect(status.modified).toEqual([]);
    });

    it('refuses a second branch with the same name in a company', async () => {
      await expect(
        stores.tenants.createBranch({ id: randomUUID(), companyId, name: 'Downtown' }),
      ).rejects.toMatchObject({
        code: 'CONFLICT',
      });
    });

    it('finds a licence by its key hash and binds it to a device only once', async () => {
      const id = randomUUID();
      await stores.licenses.insert({
        id,
        companyId,
        branchId,
        keyHash: `hash-${id}`,
        keyHint: 'abcd',
        status: 'active',
        expiresAt: null,
        boundDeviceId: null,
        maxPrinters: 3,
        features: ['printing'],
      });
      expect((await stores.licenses.findByKeyHash(`hash-${id}`))?.features).toEqual(['printing']);
      expect((await stores.licenses.bindDevice(id, 'dev-1'))?.boundDeviceId).toBe('dev-1');
      expect((await stores.licenses.bindDevice(id, 'dev-2'))?.boundDeviceId).toBe('dev-1');
      expect((await stores.licenses.setStatus(id, 'revoked'))?.status).toBe('revoked');
    });

    it('marks a job sent only while the agent licence named is active and not past its expiry', async () => {
      const licence = async (status: 'active' | 'revoked', expiresAt: Date | null) => {
        const id = randomUUID();
        await stores.licenses.insert({
          id,
          companyId,
          branchId,
          keyHash: `guard-${id}`,
          keyHint: 'abcd',
          status,
          expiresAt,
          boundDeviceId: null,
          maxPrinters: 3,
          features: [],
        });
        return id;
      };
      const cases = [
        [await licence('active', null), 'sent'],
        [await licence('active', new Date(Date.now() + 60_000)), 'sent'],
        [await licence('revoked', null), 'queued'],
        [await licence('active', new Date(Date.now() - 1_000)), 'queued'],
      ] as const;
      // One alone and several together take different statements.
      const single = newJob();
      await stores.jobs.insert(single);
      await stores.jobs.transition(single.id, ['queued'], 'sent', 'gateway', { onlyWithActiveLicence: cases[2][0] });
      expect((await stores.jobs.find(single.id))?.state).toBe('queued');
      const jobs = cases.map(() => newJob());
      for (const j of jobs) await stores.jobs.insert(j);
      await Promise.all(
        jobs.map((j, i) =>
          stores.jobs.transition(j.id, ['queued'], 'sent', 'gateway', {
            deviceId: 'dev-1',
            onlyWithActiveLicence: cases[i]?.[0],
          }),
        ),
      );
      for (const [i, j] of jobs.entries()) expect((await stores.jobs.find(j.id))?.state).toBe(cases[i]?.[1]);
    });

    it('looks up many licences at once, each caller getting its own', async () => {
      const ids = Array.from({ length: 30 }, () => randomUUID());
      for (const id of ids) {
        await stores.licenses.insert({
          id,
          companyId,
          branchId,
          keyHash: `batch-${id}`,
          keyHint: id.slice(-4),
          status: 'active',
          expiresAt: null,
          boundDeviceId: null,
          maxPrinters: 3,
          features: ['printing'],
        });
      }
      // Issued together, as a reconnect storm's handshakes are: one statement serves them all.
      const found = await Promise.all([
        ...ids.map((id) => stores.licenses.findByKeyHash(`batch-${id}`)),
        stores.licenses.findByKeyHash('batch-unknown'),
        stores.licenses.findByKeyHash(`batch-${ids[0]}`),
      ]);
      expect(found.slice(0, ids.length).map((l) => l?.id)).toEqual(ids);
      expect(found[ids.length]).toBeUndefined();
      expect(found[ids.length + 1]?.id).toBe(ids[0]);
    });

    it('writes devices and sessions of many simultaneous connections, keeping what a caller left out', async () => {
      const b3 = randomUUID();
      await stores.tenants.createBranch({ id: b3, companyId, name: `B-${b3}` });
      await stores.devices.upsert({ companyId, branchId: b3, deviceId: 'pc-0', hostname: 'till-0', kind: 'v2' });
      const sessionIds = Array.from({ length: 40 }, () => randomUUID());
      await Promise.all([
        ...Array.from({ length: 40 }, (_, i) =>
          stores.devices.upsert({
            companyId,
            branchId: b3,
            deviceId: `pc-${i}`,
            kind: 'v2',
            appVersion: '2.1.0',
            capabilities: ['print-jobs'],
          }),
        ),
        // The same device twice in one batch: the later call wins field by field.
        stores.devices.upsert({ companyId, branchId: b3, deviceId: 'pc-1', appVersion: '2.1.1' }),
        ...sessionIds.map((id, i) =>
          stores.devices.openSession({
            id,
            companyId,
            branchId: b3,
            deviceId: `pc-${i}`,
            gatewayInstance: 'gw-test',
            remoteAddress: null,
            protocolVersion: 2,
          }),
        ),
      ]);
      // A close issued right behind its open, as for a connection that drops at once.
      await Promise.all(sessionIds.slice(0, 10).map((id) => stores.devices.closeSession(id, 'transport close')));
      const devices = await stores.devices.list({ branchId: b3 });
      expect(devices).toHaveLength(40);
      const byId = new Map(devices.map((d) => [d.deviceId, d]));
      expect(byId.get('pc-0')).toMatchObject({ hostname: 'till-0', appVersion: '2.1.0', capabilities: ['print-jobs'] });
      expect(byId.get('pc-1')).toMatchObject({ appVersion: '2.1.1', capabilities: ['print-jobs'], kind: 'v2' });
      expect(await stores.devices.closeOrphanSessions('gw-test', 'restart')).toBe(30);
    });

    it('marks a device seen when its session closes, so that one connected for months is not taken for long gone', async () => {
      const b6 = randomUUID();
      await stores.tenants.createBranch({ id: b6, companyId, name: `B-${b6}` });
      await stores.devices.upsert({ companyId, branchId: b6, deviceId: 'till', kind: 'v2' });
      const id = randomUUID();
      await stores.devices.openSession({
        id,
        companyId,
        branchId: b6,
        deviceId: 'till',
        gatewayInstance: 'gw-test',
        remoteAddress: null,
        protocolVersion: 2,
      });
      // Connected (and last upserted) 400 days ago, still connected until now.
      await sql`UPDATE devices SET last_seen_at = now() - interval '400 days' WHERE branch_id = ${b6}`.execute(
        database.db,
      );
      const before = Date.now();
      await stores.devices.closeSession(id, 'transport close');
      const [device] = await stores.devices.list({ branchId: b6 });
      expect(device?.lastSeenAt.getTime()).toBeGreaterThan(before - 60_000);
    });

    it('closes the open sessions of gateway processes that are gone, not those of live ones or recent ones', async () => {
      const b5 = randomUUID();
      await stores.tenants.createBranch({ id: b5, companyId, name: `B-${b5}` });
      const open = (gatewayInstance: string, i: number) =>
        stores.devices.openSession({
          id: randomUUID(),
          companyId,
          branchId: b5,
          deviceId: `${gatewayInstance}-${i}`,
          gatewayInstance,
          remoteAddress: null,
          protocolVersion: 2,
        });
      const live = `gw-live-${b5}`;
      const gone = `gw-gone-${b5}`;
      await Promise.all([open(live, 0), open(live, 1), open(gone, 0), open(gone, 1), open(gone, 2)]);
      // Opened after the cut-off (a process that may not have announced itself yet): kept.
      expect(await stores.devices.closeSessionsOfGoneInstances([live], 3_600_000, 'gone')).toBe(0);
      // Other tests' sessions may be open too, of instances that are not live here. A negative age
      // moves the cut-off past now, so that the sessions just opened count as old.
      expect(await stores.devices.closeSessionsOfGoneInstances([live], -60_000, 'gone')).toBeGreaterThanOrEqual(3);
      expect(await stores.devices.closeOrphanSessions(gone, 'restart')).toBe(0);
      expect(await stores.devices.closeOrphanSessions(live, 'restart')).toBe(2);
    });

    it('fails only the caller whose row is bad when a batch of device writes has one', async () => {
      const b4 = randomUUID();
      await stores.tenants.createBranch({ id: b4, companyId, name: `B-${b4}` });
      const results = await Promise.allSettled([
        stores.devices.upsert({ companyId, branchId: b4, deviceId: 'ok-1', kind: 'v2' }),
        // A branch that does not exist (deleted meanwhile): its row violates the foreign key.
        stores.devices.upsert({ companyId, branchId: randomUUID(), deviceId: 'orphan', kind: 'v2' }),
        stores.devices.upsert({ companyId, branchId: b4, deviceId: 'ok-2', kind: 'v2' }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((await stores.devices.list({ branchId: b4 })).map((d) => d.deviceId).sort()).toEqual(['ok-1', 'ok-2']);
    });

    it('keeps printer names unique per branch and reports only changed statuses', async () => {
      const id = randomUUID();
      await stores.printers.insert({
        id,
        companyId,
        branchId,
        name: 'Kitchen',
        status: 'online',
        capabilities: ['cut'],
      });
      await expect(
        stores.printers.insert({ id: randomUUID(), companyId, branchId, name: 'Kitchen' }),
      ).rejects.toBeInstanceOf(GatewayError);
      const seenAt = new Date();
      expect(await stores.printers.updateStatuses(branchId, [{ id, status: 'online', seenAt }])).toEqual([]);
      const changed = await stores.printers.updateStatuses(branchId, [{ id, status: 'offline', seenAt }]);
      expect(changed.map((p) => [p.id, p.status])).toEqual([[id, 'offline']]);
      // A printer id of another branch is ignored.
      expect(await stores.printers.updateStatuses(randomUUID(), [{ id, status: 'online', seenAt }])).toEqual([]);
      expect((await stores.printers.find(id))?.capabilities).toEqual(['cut']);
    });

    it('records the statuses of many agents reporting together, each caller getting its own changes', async () => {
      const b4 = randomUUID();
      await stores.tenants.createBranch({ id: b4, companyId, name: `B-${b4}` });
      const ids = Array.from({ length: 12 }, () => randomUUID());
      for (const [i, id] of ids.entries()) {
        await stores.printers.insert({ id, companyId, branchId: b4, name: `P${i}` });
      }
      const seenAt = new Date();
      const later = new Date(seenAt.getTime() + 5);
      // Issued together, as a busy branch's reports are: one statement serves them all.
      const results = await Promise.all([
        ...ids.slice(0, 10).map((id) => stores.printers.updateStatuses(b4, [{ id, status: 'online', seenAt }])),
        // A change reversed by a later report of the same batch is still two changes, each to
        // its own caller, in order ('unknown' is the default): the error must reach dashboards.
        stores.printers.updateStatuses(b4, [{ id: ids[10] as string, status: 'error', seenAt }]),
        stores.printers.updateStatuses(b4, [{ id: ids[10] as string, status: 'unknown', seenAt: later }]),
        // A repeat of the stored status is no change either.
        stores.printers.updateStatuses(b4, [{ id: ids[11] as string, status: 'unknown', seenAt }]),
      ]);
      expect(results.slice(0, 10).map((r) => r.map((p) => [p.id, p.status]))).toEqual(
        ids.slice(0, 10).map((id) => [[id, 'online']]),
      );
      expect(results.slice(10).map((r) => r.map((p) => [p.id, p.status, p.lastSeenAt?.getTime()]))).toEqual([
        [[ids[10], 'error', seenAt.getTime()]],
        [[ids[10], 'unknown', later.getTime()]],
        [],
      ]);
      const reversed = await stores.printers.find(ids[10] as string);
      expect([reversed?.status, reversed?.lastSeenAt?.getTime()]).toEqual(['unknown', later.getTime()]);
      const stored = await stores.printers.find(ids[0] as string);
      expect(stored?.status).toBe('online');
      expect(stored?.lastSeenAt?.getTime()).toBe(seenAt.getTime());
    });

    it('keeps each printer’s last canary without touching its updatedAt', async () => {
      const b5 = randomUUID();
      await stores.tenants.createBranch({ id: b5, companyId, name: `B-${b5}` });
      const [okId, redId] = [randomUUID(), randomUUID()];
      for (const [i, id] of [okId, redId].entries())
        await stores.printers.insert({ id, companyId, branchId: b5, name: `C${i}` });
      const before = await stores.printers.find(okId);
      expect(before?.canary).toBeNull();
      const at = new Date(Date.now() + 1_000);
      await stores.printers.recordCanaries([
        { printerId: okId, at, ok: true, ms: 42, reason: null },
        { printerId: redId, at, ok: false, ms: null, reason: 'no_answer' },
        // An id that is not a printer (deleted meanwhile) is ignored.
        { printerId: randomUUID(), at, ok: true, ms: 1, reason: null },
      ]);
      const ok = await stores.printers.find(okId);
      expect(ok?.canary).toEqual({ at, ok: true, ms: 42, reason: null });
      expect(ok?.updatedAt.getTime()).toBe(before?.updatedAt.getTime());
      expect((await stores.printers.find(redId))?.canary).toEqual({ at, ok: false, ms: null, reason: 'no_answer' });
    });

    it('stores a job with its creation event and content bytes intact', async () => {
      const job = newJob();
      const result = await stores.jobs.insert(job);
      expect(result.created).toBe(true);
      const stored = await stores.jobs.findWithContent(job.id);
      expect(Buffer.from(stored?.content ?? []).equals(Buffer.from(job.content))).toBe(true);
      expect(stored?.state).toBe('queued');
      expect(stored?.orderData).toEqual({ table: 7 });
      expect((await stores.jobs.events(job.id)).map((e) => e.toState)).toEqual(['queued']);
    });

    it('stores jobs submitted together each with its own event; one that cannot be stored fails alone', async () => {
      const jobs = Array.from({ length: 5 }, (_, i) =>
        newJob({ actor: `user:u${i}`, content: new Uint8Array([0x1b, 0x40, 0x30 + i]) }),
      );
      const orphan = newJob({ branchId: `no-such-branch-${randomUUID()}` }); // refused by the foreign key
      const settled = await Promise.allSettled([...jobs, orphan].map((j) => stores.jobs.insert(j)));
      expect(settled.map((s) => s.status)).toEqual([...jobs.map(() => 'fulfilled'), 'rejected']);
      for (const [i, job] of jobs.entries()) {
        const result = settled[i];
        expect(result?.status === 'fulfilled' && result.value.created && result.value.job.id).toBe(job.id);
        const stored = await stores.jobs.findWithContent(job.id);
        expect([...(stored?.content ?? [])]).toEqual([0x1b, 0x40, 0x30 + i]);
        expect((await stores.jobs.events(job.id)).map((e) => `${e.toState}:${e.actor}`)).toEqual([`queued:user:u${i}`]);
      }
      expect(await stores.jobs.find(orphan.id)).toBeUndefined();
    });

    it('returns the first job for a repeated idempotency key, also under concurrency', async () => {
      const key = `key-${randomUUID()}`;
      const claim = { key, requestHash: 'h1', notBefore: new Date(Date.now() - 60_000) };
      const results = await Promise.all(Array.from({ length: 8 }, () => stores.jobs.insert(newJob(), claim)));
      const created = results.filter((r) => r.created);
      expect(created).toHaveLength(1);
      const ids = new Set(results.map((r) => r.job.id));
      expect(ids.size).toBe(1);
      for (const r of results) if (!r.created) expect(r.requestHash).toBe('h1');
      const rows = await stores.jobs.list({ companyId, limit: 500 });
      expect(rows.filter((j) => j.idempotencyKey === key)).toHaveLength(1);
    });

    it('forgets an idempotency key older than the window', async () => {
      const key = `old-${randomUUID()}`;
      const first = await stores.jobs.insert(newJob(), { key, requestHash: 'h', notBefore: new Date(0) });
      const second = await stores.jobs.insert(newJob(), {
        key,
        requestHash: 'h',
        notBefore: new Date(Date.now() + 1000),
      });
      expect(first.created && second.created).toBe(true);
      expect(first.job.id).not.toBe(second.job.id);
    });

    it('takes a deleted printer out of every station that lists it', async () => {
      const [gone, kept] = [randomUUID(), randomUUID()];
      for (const id of [gone, kept]) await stores.printers.insert({ id, companyId, branchId, name: `D-${id}` });
      const station = await stores.stations.insert({
        id: randomUUID(),
        companyId,
        branchId,
        name: `S-${randomUUID()}`,
        printerIds: [gone, kept],
      });
      expect(await stores.printers.delete(gone)).toBe(true);
      expect((await stores.stations.find(station.id))?.printerIds).toEqual([kept]);
      expect(await stores.stations.withPrinter(gone)).toEqual([]);
      expect(await stores.printers.delete(gone)).toBe(false);
      // Stations that still named a printer deleted before the fix: migration 023 takes it out.
      const ghost = randomUUID();
      const old = await stores.stations.insert({
        id: randomUUID(),
        companyId,
        branchId,
        name: `S-${randomUUID()}`,
        printerIds: [ghost, kept, `${ghost}-2`],
      });
      const fix = loadMigrations().find((m) => m.version === 23);
      await sql.raw(fix?.sql ?? 'missing migration 023').execute(database.db);
      expect((await stores.stations.find(old.id))?.printerIds).toEqual([kept]);
      expect((await stores.stations.find(station.id))?.printerIds).toEqual([kept]);
    });

    it('moves a station’s queued jobs to another printer with the line in front, never a sent one, and hands them to the notice once', async () => {
      const station = await stores.stations.insert({
        id: randomUUID(),
        companyId,
        branchId,
        name: `S-${randomUUID()}`,
        printerIds: ['p1', 'p2'],
      });
      expect((await stores.stations.withPrinter('p2')).map((s) => s.id)).toContain(station.id);
      const queued = newJob({ stationId: station.id });
      const sent = newJob({ stationId: station.id });
      const other = newJob();
      for (const j of [queued, sent, other]) await stores.jobs.insert(j);
      await stores.jobs.transition(sent.id, ['queued'], 'sent', 'gateway', { deviceId: 'd1', incrementAttempts: true });
      const prefix = new Uint8Array([0x1b, 0x40, 0x4d, 0x0a]);
      const moved = await stores.jobs.moveStationJobs({
        stationId: station.id,
        fromPrinterId: 'p1',
        toPrinterId: 'p2',
        prefix,
        reason: 'moved from p1 to p2: paper out',
      });
      expect(moved.map((j) => [j.id, j.printerId, j.state, j.stationId])).toEqual([
        [queued.id, 'p2', 'queued', station.id],
      ]);
      const stored = await stores.jobs.findWithContent(queued.id);
      expect([...(stored?.content ?? [])]).toEqual([...prefix, ...queued.content]);
      expect(stored?.byteLength).toBe(prefix.length + queued.content.length);
      expect((await stores.jobs.find(sent.id))?.printerId).toBe('p1');
      expect((await stores.jobs.find(other.id))?.printerId).toBe('p1');
      const events = await stores.jobs.events(queued.id);
      expect(events.at(-1)).toMatchObject({
        fromState: 'queued',
        toState: 'queued',
        reason: 'moved from p1 to p2: paper out',
      });
      expect((await stores.jobs.takeMovedFrom('p1')).map((j) => j.id)).toEqual([queued.id]);
      expect(await stores.jobs.takeMovedFrom('p1')).toEqual([]);
    });

    it('moves a job only from the expected state and records each move', async () => {
      const job = newJob();
      await stores.jobs.insert(job);
      const sent = await stores.jobs.transition(job.id, ['queued'], 'sent', 'gateway', {
        deviceId: 'd1',
        incrementAttempts: true,
      });
      expect(sent?.job).toMatchObject({ state: 'sent', deviceId: 'd1', attempts: 1 });
      expect(sent?.from).toBe('queued');
      expect(await stores.jobs.transition(job.id, ['queued'], 'cancelled', 'api')).toBeUndefined();
      await stores.jobs.transition(job.id, ['sent'], 'accepted', 'agent:d1');
      const done = await stores.jobs.transition(job.id, ['accepted'], 'completed', 'agent:d1', {
        completedAt: new Date(),
      });
      expect(done?.job.completedAt).toBeInstanceOf(Date);
      const events = await stores.jobs.events(job.id);
      expect(events.map((e) => `${e.fromState ?? ''}>${e.toState}`)).toEqual([
        '>queued',
        'queued>sent',
        'sent>accepted',
        'accepted>completed',
      ]);
    });

    it('applies many changes issued together each on its own terms, the same job twice in turn', async () => {
      const jobs = Array.from({ length: 6 }, () => newJob());
      for (const j of jobs) await stores.jobs.insert(j);
      const [a, b, c, d, e, f] = jobs.map((j) => j.id) as [string, string, string, string, string, string];
      const results = await Promise.all([
        stores.jobs.transition(a, ['queued'], 'sent', 'gateway', { deviceId: 'd1', incrementAttempts: true }),
        // The same job again in the same turn: applied after the first, so it sees `sent`.
        stores.jobs.transition(a, ['sent'], 'accepted', 'agent:d1'),
        stores.jobs.transition(b, ['sent'], 'accepted', 'agent:d1'), // not sent: nothing moves
        stores.jobs.transition(c, ['queued'], 'cancelled', 'api', { reason: 'by hand' }),
        stores.jobs.transition(d, ['queued'], 'failed', 'agent:d2', { onlyInBranch: randomUUID() }), // other branch
        stores.jobs.transition(e, ['queued', 'sent'], 'completed', 'agent:d1', { completedAt: new Date(1_000) }),
        stores.jobs.transition(f, ['queued'], 'sent', 'gateway', { deviceId: 'd3' }),
      ]);
      expect(results.map((r) => r && `${r.from}>${r.job.state}`)).toEqual([
        'queued>sent',
        'sent>accepted',
        undefined,
        'queued>cancelled',
        undefined,
        'queued>completed',
        'queued>sent',
      ]);
      expect(results[0]?.job).toMatchObject({ id: a, deviceId: 'd1', attempts: 1 });
      expect(results[3]?.job.reason).toBe('by hand');
      expect(results[5]?.job.completedAt?.getTime()).toBe(1_000);
      expect(results[6]?.job).toMatchObject({ id: f, deviceId: 'd3', attempts: 0 });
      expect((await stores.jobs.find(b))?.state).toBe('queued');
      expect((await stores.jobs.find(d))?.state).toBe('queued');
      expect((await stores.jobs.events(a)).map((ev) => `${ev.fromState ?? ''}>${ev.toState}:${ev.actor}`)).toEqual([
        '>queued:test',
        'queued>sent:gateway',
        'sent>accepted:agent:d1',
      ]);
      expect((await stores.jobs.events(c)).at(-1)).toMatchObject({
        toState: 'cancelled',
        actor: 'api',
        reason: 'by hand',
      });
      expect(await stores.jobs.events(b)).toHaveLength(1);
    });

    it('when a change in a batch fails, reports every other change once and applies none twice', async () => {
      const [a, b, c] = [newJob(), newJob(), newJob()];
      for (const j of [a, b, c]) await stores.jobs.insert(j);
      // 'bogus' breaks the state CHECK constraint, so the statement holding it fails as a whole.
      const bogus = 'bogus' as JobState;
      const settled = await Promise.allSettled([
        stores.jobs.transition(a.id, ['queued'], 'sent', 'gateway', { incrementAttempts: true }),
        stores.jobs.transition(b.id, ['queued'], bogus, 'gateway'),
        stores.jobs.transition(a.id, ['sent'], 'accepted', 'agent:d1'),
        stores.jobs.transition(c.id, ['queued'], 'sent', 'gateway'),
        // Same job as the first, so in a second statement, after the first one has committed.
        stores.jobs.transition(c.id, ['sent'], bogus, 'gateway'),
      ]);
      expect(
        settled.map((r) => (r.status === 'fulfilled' ? `${r.value?.from}>${r.value?.job.state}` : 'error')),
      ).toEqual(['queued>sent', 'error', 'sent>accepted', 'queued>sent', 'error']);
      expect((await stores.jobs.find(a.id))?.attempts).toBe(1);
      expect((await stores.jobs.events(a.id)).map((e) => e.toState)).toEqual(['queued', 'sent', 'accepted']);
      expect((await stores.jobs.events(c.id)).map((e) => e.toState)).toEqual(['queued', 'sent']);
      expect((await stores.jobs.find(b.id))?.state).toBe('queued');
    });

    it('lists pending jobs by priority then age and expires the overdue ones', async () => {
      const b2 = randomUUID();
      await stores.tenants.createBranch({ id: b2, companyId, name: `B-${b2}` });
      const t = Date.now();
      const low = newJob({ branchId: b2, priority: 1, createdAt: new Date(t - 3000) });
      const highOld = newJob({ branchId: b2, priority: 9, createdAt: new Date(t - 2000) });
      const highNew = newJob({ branchId: b2, priority: 9, createdAt: new Date(t - 1000) });
      const overdue = newJob({ branchId: b2, priority: 5, usefulUntil: new Date(t - 1), createdAt: new Date(t - 500) });
      for (const j of [low, highNew, overdue, highOld]) await stores.jobs.insert(j);
      const pending = await stores.jobs.pendingForBranch(b2, 10);
      expect(pending.map((j) => j.id)).toEqual([highOld.id, highNew.id, overdue.id, low.id]);
      const expired = await stores.jobs.expireDue(new Date(), 'too late', 100);
      expect(expired.map((j) => j.id)).toContain(overdue.id);
      expect((await stores.jobs.find(overdue.id))?.state).toBe('expired');
      expect((await stores.jobs.events(overdue.id)).at(-1)).toMatchObject({
        fromState: 'queued',
        toState: 'expired',
        actor: 'gateway',
        reason: 'too late',
      });
      expect((await stores.jobs.pendingForBranch(b2, 10)).map((j) => j.id)).not.toContain(overdue.id);
    });

    it('never expires a job that left the gateway: past a bound it becomes unconfirmed, and a late report corrects it', async () => {
      const t = Date.now();
      const sent = newJob({ usefulUntil: new Date(t - 60_000) });
      const printing = newJob({ usefulUntil: new Date(t - 60_000) });
      const recent = newJob({ usefulUntil: new Date(t - 1_000) });
      for (const j of [sent, printing, recent]) {
        await stores.jobs.insert(j);
        await stores.jobs.transition(j.id, ['queued'], 'sent', 'gateway', { deviceId: 'dev-1' });
      }
      await stores.jobs.transition(printing.id, ['sent'], 'printing', 'agent:dev-1');
      expect((await stores.jobs.expireDue(new Date(), 'too late', 100)).map((j) => j.id)).not.toEqual(
        expect.arrayContaining([sent.id]),
      );
      expect((await stores.jobs.find(sent.id))?.state).toBe('sent');
      // The bound: useful-until 10 s ago or earlier.
      const moved = await stores.jobs.unconfirmOverdue(new Date(t - 10_000), 'outcome unknown', 100);
      const mine = moved.filter((m) => [sent.id, printing.id, recent.id].includes(m.job.id));
      expect(mine.map((m) => [m.job.id, m.from, m.job.state]).sort()).toEqual(
        [
          [sent.id, 'sent', 'unconfirmed'],
          [printing.id, 'printing', 'unconfirmed'],
        ].sort(),
      );
      expect((await stores.jobs.find(recent.id))?.state).toBe('sent');
      // Only the gateway's own "outcome unknown" is reopened by a report, and the report's reason replaces it.
      const late = await stores.jobs.transition(sent.id, ['unconfirmed'], 'completed', 'agent:dev-1', {
        unconfirmedReason: 'something else',
        reason: null,
      });
      expect(late).toBeUndefined();
      const corrected = await stores.jobs.transition(sent.id, ['unconfirmed'], 'completed', 'agent:dev-1', {
        unconfirmedReason: 'outcome unknown',
        reason: null,
      });
      expect(corrected?.job).toMatchObject({ state: 'completed', reason: null });
      expect((await stores.jobs.events(sent.id)).map((e) => [e.toState, e.actor, e.reason])).toEqual([
        ['queued', 'test', null],
        ['sent', 'gateway', null],
        ['unconfirmed', 'gateway', 'outcome unknown'],
        ['completed', 'agent:dev-1', null],
      ]);
    });

    it('tells which branches have jobs waiting, for many branches at once', async () => {
      const [busy, idle] = [randomUUID(), randomUUID()];
      for (const id of [busy, idle]) await stores.tenants.createBranch({ id, companyId, name: `B-${id}` });
      const job = newJob({ branchId: busy });
      await stores.jobs.insert(job);
      expect(await Promise.all([stores.jobs.hasPending(busy), stores.jobs.hasPending(idle)])).toEqual([true, false]);
      await stores.jobs.transition(job.id, ['queued'], 'cancelled', 'test');
      expect(await stores.jobs.hasPending(busy)).toBe(false);
    });

    it('pages through a job list with a cursor without gaps or repeats', async () => {
      const b3 = randomUUID();
      await stores.tenants.createBranch({ id: b3, companyId, name: `C-${b3}` });
      const base = Date.now();
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        // Two jobs share each millisecond, so the id breaks ties.
        const j = newJob({ branchId: b3, createdAt: new Date(base + Math.floor(i / 2)) });
        ids.push(j.id);
        await stores.jobs.insert(j);
      }
      const seen: string[] = [];
      let cursor: { createdAt: Date; id: string } | undefined;
      for (;;) {
        const page = await stores.jobs.list({ branchId: b3, limit: 3, cursor });
        seen.push(...page.map((j) => j.id));
        const last = page.at(-1);
        if (page.length < 3 || !last) break;
        cursor = { createdAt: last.createdAt, id: last.id };
      }
      expect(seen).toHaveLength(7);
      expect(new Set(seen)).toEqual(new Set(ids));
    });

    it('keeps only the newest health samples of a device', async () => {
      for (let i = 0; i < 5; i++) {
        await stores.health.append(
          {
            companyId,
            branchId,
            deviceId: 'dev-h',
            averageLatency: i,
            packetLossRate: 0,
            connectionQuality: 'excellent',
            report: { i },
          },
          3,
        );
      }
      const history = await stores.health.history(branchId, 'dev-h', 100);
      expect(history.map((h) => h.averageLatency)).toEqual([4, 3, 2]);
    });

    it('stores a meta value only once', async () => {
      const key = `k-${randomUUID()}`;
      expect(await stores.meta.putIfAbsent(key, { a: 1 })).toBe(true);
      expect(await stores.meta.putIfAbsent(key, { a: 2 })).toBe(false);
      expect(await stores.meta.get(key)).toEqual({ a: 1 });
    });
  });
}
