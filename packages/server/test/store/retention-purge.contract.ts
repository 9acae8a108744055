import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoreEvents } from '../../src/core/core-events.js';
import type { RetentionTable } from '../../src/core/ports/retention-store.js';
import { type RetentionOptions, RetentionPurge } from '../../src/core/retention-purge.js';
import type { Database } from '../../src/store/database.js';
import { createStores } from '../../src/store/stores.js';
import { FakeClock } from '../support/fake-clock.js';

const DAY = 86_400_000;
/** Small batches, so that every table holds more rows past retention than one batch. */
const OPTIONS: RetentionOptions = {
  auditDays: 365,
  jobsDays: 90,
  webhookDays: 30,
  sessionsDays: 30,
  devicesDays: 365,
  batchSize: 7,
};

/** The databases of one run: `seed` writes the rows (the owner), `purge` is the gateway's. */
export interface RetentionDatabases {
  seed: Database;
  purge: Database;
  teardown: () => Promise<void>;
}

/**
 * The retention purge against a real store: only rows past their retention go, in batches, with
 * what depends on them; open jobs, pending deliveries and the events they need stay.
 */
export function describeRetentionPurge(label: string, open: () => Promise<RetentionDatabases>) {
  describe(`retention purge (${label})`, () => {
    let dbs: RetentionDatabases | undefined;
    let clock: FakeClock;
    let company: string;

    const databases = async () => {
      dbs ??= await open();
      return dbs;
    };
    const count = async (query: string) => {
      const { seed } = await databases();
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM (${sql.raw(query)}) AS q`.execute(
        seed.db,
      );
      return rows[0]?.n;
    };
    const purger = async (options: Partial<RetentionOptions> = {}) => {
      const events = new CoreEvents();
      const emitted: Partial<Record<RetentionTable, number>> = {};
      events.on('retentionPurged', (table, n) => {
        emitted[table] = (emitted[table] ?? 0) + n;
      });
      const purge = new RetentionPurge({
        store: createStores((await databases()).purge, (err) => {
          throw err;
        }).retention,
        clock,
        events,
        logger: pino({ level: 'silent' }),
        options: { ...OPTIONS, ...options },
      });
      return { purge, emitted };
    };

    beforeEach(async () => {
      const { seed } = await databases();
      clock = new FakeClock(Date.now());
      company = `co-${randomUUID()}`;
      await seedRows(seed, company, clock.now());
    });
    afterEach(async () => {
      // Each test counts its own company's rows: the next one must not find these past retention.
      const { seed } = await databases();
      await sql`DELETE FROM audit_log WHERE company_id = ${company}`.execute(seed.db);
      await sql`DELETE FROM companies WHERE id = ${company}`.execute(seed.db);
    });
    afterAll(async () => {
      if (!dbs) return;
      await dbs.seed.close();
      if (dbs.purge !== dbs.seed) await dbs.purge.close();
      await dbs.teardown();
    });

    it('deletes in batches only what is past retention, with its dependent rows, and counts it', async () => {
      const { purge, emitted } = await purger();
      const run = await purge.run();

      const expected = {
        webhook_deliveries: 10,
        webhook_attempts: 20,
        events: 20,
        print_jobs: 15,
        print_job_events: 30,
        audit_log: 20,
        paper_checks: 9,
        devices: 8,
        device_health_reports: 16,
        device_sessions: 18,
      };
      expect(run).toEqual({ busy: false, purged: expected });
      expect(emitted).toEqual(expected);
      const c = `company_id = '${company}'`;
      expect(await count(`SELECT 1 FROM audit_log WHERE ${c}`)).toBe(3);
      // The open jobs stay however old; the recent final ones and the reprint of a purged job too.
      expect(await count(`SELECT state FROM print_jobs WHERE ${c}`)).toBe(6);
      expect(await count(`SELECT 1 FROM print_jobs WHERE ${c} AND state IN ('queued', 'sent')`)).toBe(4);
      expect(await count(`SELECT 1 FROM print_jobs WHERE id = 'reprint-${company}' AND reprint_of IS NULL`)).toBe(1);
      expect(await count(`SELECT 1 FROM idempotency_keys WHERE ${c}`)).toBe(0);
      // The live delivery and the recently redelivered one stay, with their events and attempts.
      expect(await count(`SELECT 1 FROM webhook_deliveries WHERE ${c}`)).toBe(2);
      expect(await count(`SELECT 1 FROM webhook_attempts WHERE ${c}`)).toBe(1);
      expect(await count(`SELECT 1 FROM events WHERE ${c} AND id IN (SELECT event_id FROM webhook_deliveries)`)).toBe(
        2,
      );
      // Besides those: the recent events and the one not yet published, old as it is.
      expect(await count(`SELECT 1 FROM events WHERE ${c}`)).toBe(5);
      expect(await count(`SELECT 1 FROM events WHERE ${c} AND seq IS NULL`)).toBe(1);
      // The agent with a session open stays however long ago it connected, and so does that session.
      expect(await count(`SELECT device_id FROM devices WHERE ${c} ORDER BY 1`)).toBe(2);
      expect(await count(`SELECT 1 FROM devices WHERE ${c} AND device_id IN ('dev-9', 'dev-10')`)).toBe(2);
      expect(await count(`SELECT 1 FROM device_health_reports WHERE ${c}`)).toBe(4);
      expect(await count(`SELECT 1 FROM device_sessions WHERE ${c} AND disconnected_at IS NULL`)).toBe(1);
      expect(await count(`SELECT 1 FROM device_sessions WHERE ${c}`)).toBe(3);
      // Each printer's newest check stays, however old: the printer's view shows when it was.
      expect(await count(`SELECT printer_id FROM paper_checks WHERE ${c} ORDER BY 1`)).toBe(2);
      expect(await count(`SELECT 1 FROM paper_checks WHERE ${c} AND printer_id = 'p2'`)).toBe(1);
    });

    it('purges what the clock has aged past retention since the last run', async () => {
      const { purge } = await purger();
      await purge.run();
      clock.jump(2 * DAY);
      const again = await purge.run();
      // The "recent" rows were one day short of their retention: two days later they are past it.
      // The live delivery and its event stay.
      expect(again.purged).toEqual({
        webhook_deliveries: 1,
        webhook_attempts: 1,
        events: 3,
        print_jobs: 2,
        print_job_events: 4,
        audit_log: 3,
        // p1's newest check is now past retention too, and stays as p1's newest.
        paper_checks: 0,
        // The agent seen 364 (now 366) days ago, with its reports and its two sessions (closed 29,
        // now 31 days ago): the devices step deletes them before the sessions step would.
        devices: 1,
        device_health_reports: 2,
        device_sessions: 2,
      });
      expect(await count(`SELECT 1 FROM print_jobs WHERE company_id = '${company}'`)).toBe(4);
      expect(await count(`SELECT 1 FROM devices WHERE company_id = '${company}'`)).toBe(1);
    });

    it('keeps every table whose retention is 0', async () => {
      const { purge } = await purger({ auditDays: 0, jobsDays: 0, webhookDays: 0, sessionsDays: 0, devicesDays: 0 });
      expect(await purge.run()).toEqual({ busy: false, purged: {} });
      expect(await count(`SELECT 1 FROM audit_log WHERE company_id = '${company}'`)).toBe(23);
      expect(await count(`SELECT 1 FROM device_sessions WHERE company_id = '${company}'`)).toBe(21);
      expect(await count(`SELECT 1 FROM devices WHERE company_id = '${company}'`)).toBe(10);
      expect(await count(`SELECT 1 FROM device_health_reports WHERE company_id = '${company}'`)).toBe(20);
      expect(await count(`SELECT 1 FROM paper_checks WHERE company_id = '${company}'`)).toBe(11);
    });

    it('deletes the sessions of a forgotten agent with it, even when closed sessions are kept forever', async () => {
      const { purge } = await purger({ sessionsDays: 0 });
      const run = await purge.run();
      expect(run.purged).toMatchObject({ devices: 8, device_health_reports: 16, device_sessions: 8 });
      const c = `company_id = '${company}'`;
      expect(await count(`SELECT 1 FROM device_sessions WHERE ${c} AND device_id IN ('dev-9', 'dev-10')`)).toBe(13);
      expect(await count(`SELECT 1 FROM device_sessions WHERE ${c}`)).toBe(13);
    });

    it('deletes each row once when two purges run at the same time', async () => {
      const [a, b] = [await purger(), await purger()];
      const runs = await Promise.all([a.purge.run(), b.purge.run()]);
      const total = (table: RetentionTable) => runs.reduce((n, r) => n + (r.purged[table] ?? 0), 0);
      expect(total('audit_log')).toBe(20);
      expect(total('print_jobs')).toBe(15);
      expect(total('webhook_deliveries')).toBe(10);
      expect(total('devices')).toBe(8);
      expect(total('device_sessions')).toBe(18);
      expect(await count(`SELECT 1 FROM audit_log WHERE company_id = '${company}'`)).toBe(3);
    });
  });
}

/**
 * One company's rows, `old` ones a day past their retention and `recent` ones a day short of it
 * (OPTIONS), relative to `now`.
 */
async function seedRows(database: Database, company: string, now: number): Promise<void> {
  const at = (days: number) => new Date(now - days * DAY);
  const [auditOld, auditNew] = [at(366), at(364)];
  const [jobOld, jobNew] = [at(91), at(89)];
  const [hookOld, hookNew] = [at(31), at(29)];
  const [sessionOld, sessionNew] = [hookOld, hookNew];
  const branch = `br-${company}`;
  const exec = (q: ReturnType<typeof sql>) => q.execute(database.db);
  await exec(sql`INSERT INTO companies (id, name) VALUES (${company}, 'Retention')`);
  await exec(sql`INSERT INTO branches (id, company_id, name) VALUES (${branch}, ${company}, 'Main')`);
  await exec(sql`INSERT INTO audit_log (company_id, actor, action, created_at)
    SELECT ${company}, 'test', 'seeded', CASE WHEN n <= 20 THEN ${auditOld}::timestamptz ELSE ${auditNew}::timestamptz END
    FROM generate_series(1, 23) AS n`);
  // 15 old final jobs (every final state), 3 old open ones, 2 recent final ones; 2 events each.
  await exec(sql`INSERT INTO print_jobs (id, company_id, branch_id, printer_id, state, type, priority, content,
      byte_length, useful_until, created_at, updated_at)
    SELECT ${company} || '-job-' || n, ${company}, ${branch}, 'p1',
      CASE WHEN n <= 15 THEN (ARRAY['completed', 'failed', 'unconfirmed', 'expired', 'cancelled'])[1 + n % 5]
           WHEN n <= 17 THEN 'queued' WHEN n = 18 THEN 'sent' ELSE 'completed' END,
      'receipt', 5, '\\x00'::bytea, 1, ${jobOld}::timestamptz, ${jobOld}::timestamptz,
      CASE WHEN n <= 18 THEN ${jobOld}::timestamptz ELSE ${jobNew}::timestamptz END
    FROM generate_series(1, 20) AS n`);
  await exec(sql`INSERT INTO print_job_events (job_id, company_id, to_state, actor)
    SELECT j.id, ${company}, j.state, 'test' FROM print_jobs j, generate_series(1, 2) WHERE j.company_id = ${company}`);
  await exec(sql`INSERT INTO idempotency_keys (company_id, key, request_hash, job_id)
    VALUES (${company}, 'k1', 'h', ${`${company}-job-1`})`);
  await exec(sql`INSERT INTO print_jobs (id, company_id, branch_id, printer_id, state, type, priority, content,
      byte_length, useful_until, reprint_of, created_at, updated_at)
    VALUES (${`reprint-${company}`}, ${company}, ${branch}, 'p1', 'queued', 'receipt', 5, '\\x00'::bytea, 1, now(),
      ${`${company}-job-1`}, ${jobNew}, ${jobNew})`);
  // Agents dev-1..8 unseen for 366 days, dev-9 as long but still connected, dev-10 seen 364 days ago;
  // two health reports each.
  await exec(sql`INSERT INTO devices (company_id, branch_id, device_id, first_seen_at, last_seen_at)
    SELECT ${company}, ${branch}, 'dev-' || n, ${auditOld}::timestamptz,
      CASE WHEN n <= 9 THEN ${auditOld}::timestamptz ELSE ${auditNew}::timestamptz END
    FROM generate_series(1, 10) AS n`);
  await exec(sql`INSERT INTO device_health_reports (company_id, branch_id, device_id, report, created_at)
    SELECT ${company}, ${branch}, 'dev-' || n, '{}'::jsonb, ${auditOld}::timestamptz
    FROM generate_series(1, 10) AS n, generate_series(1, 2)`);
  // Sessions: one closed a year ago for each of dev-1..8; dev-9's open one (400 days) and one closed
  // 31 days ago; dev-10's nine closed 31 days ago and two closed 29 days ago.
  const session = (device: string, closedAt: Date | null, n: number) =>
    exec(sql`INSERT INTO device_sessions (id, company_id, branch_id, device_id, gateway_instance, connected_at,
        disconnected_at, disconnect_reason)
      SELECT ${company} || '-' || ${device} || '-' || ${closedAt?.getTime() ?? 'open'} || '-' || i, ${company}, ${branch},
        ${device}, 'gw', ${at(400)}::timestamptz, ${closedAt}::timestamptz, CASE WHEN ${closedAt}::timestamptz IS NOT NULL THEN 'transport close' END
      FROM generate_series(1, ${n}) AS i`);
  for (let n = 1; n <= 8; n++) await session(`dev-${n}`, auditOld, 1);
  await session('dev-9', null, 1);
  await session('dev-9', sessionOld, 1);
  await session('dev-10', sessionOld, 9);
  await session('dev-10', sessionNew, 2);
  // Paper checks of p1: nine printed 91 days ago, one 89 days ago; p2's only one, 91 days ago.
  await exec(sql`INSERT INTO paper_checks (token_hash, company_id, branch_id, printer_id, job_id, created_at)
    SELECT ${company} || '-check-' || n, ${company}, ${branch}, CASE WHEN n = 11 THEN 'p2' ELSE 'p1' END,
      ${company} || '-job-' || n, CASE WHEN n = 10 THEN ${jobNew}::timestamptz ELSE ${jobOld}::timestamptz END
    FROM generate_series(1, 11) AS n`);
  // Events 1-10 old without deliveries, 11-22 old with one each, 23-24 recent, 25 old and unpublished.
  const { rows } = await sql<{ base: number }>`SELECT COALESCE(max(seq), 0)::int + 1000 AS base FROM events`.execute(
    database.db,
  );
  const base = rows[0]?.base ?? 1000;
  await exec(sql`INSERT INTO events (seq, company_id, branch_id, type, subject_id, data, created_at)
    SELECT CASE WHEN n = 25 THEN NULL ELSE ${base}::bigint + n END, ${company}, ${branch}, 'job.completed', 'j' || n,
      jsonb_build_object('n', n), CASE WHEN n IN (23, 24) THEN ${hookNew}::timestamptz ELSE ${hookOld}::timestamptz END
    FROM generate_series(1, 25) AS n`);
  await exec(sql`INSERT INTO webhook_endpoints (id, company_id, url, events, secret)
    VALUES (${`wh-${company}`}, ${company}, 'http://127.0.0.1/', '{job.*}', 's')`);
  // 11-19 delivered, 20 given up, 21 still pending (live), 22 given up then redelivered recently.
  await exec(sql`INSERT INTO webhook_deliveries (endpoint_id, company_id, event_id, seq, ordering_key, state, attempts,
      first_attempt_at, delivered_at, created_at)
    SELECT ${`wh-${company}`}, ${company}, e.id, e.seq, e.subject_id,
      CASE WHEN n <= 19 THEN 'delivered' WHEN n = 20 THEN 'failed' WHEN n = 21 THEN 'pending' ELSE 'delivered' END,
      2, CASE WHEN n = 22 THEN ${hookNew}::timestamptz ELSE ${hookOld}::timestamptz END,
      CASE WHEN n <= 19 THEN ${hookOld}::timestamptz WHEN n = 22 THEN ${hookNew}::timestamptz END, ${hookOld}::timestamptz
    FROM events e, LATERAL (SELECT (e.data->>'n')::int AS n) AS k
    WHERE e.company_id = ${company} AND n BETWEEN 11 AND 22`);
  // Two attempts of each finished delivery but the redelivered one (one, recent), none of the live one.
  await exec(sql`INSERT INTO webhook_attempts (delivery_id, endpoint_id, company_id, attempt, latency_ms, gateway_instance,
      created_at)
    SELECT d.id, d.endpoint_id, ${company}, a, 10, 'gw', d.created_at
    FROM webhook_deliveries d, generate_series(1, 2) AS a
    WHERE d.company_id = ${company} AND d.state <> 'pending' AND (d.first_attempt_at < ${hookNew} OR a = 1)`);
}
