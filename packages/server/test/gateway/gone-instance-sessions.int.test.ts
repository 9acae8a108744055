import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/socket-clients.js';
import { createTestSchema, postgresAvailable } from '../support/test-database.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { redisAvailable, TEST_REDIS_URL } from '../support/test-redis.js';

// Instance ids are per process (host-pid): a crashed process is never restarted under its
// own id, so its sessions are closed by the sweep for processes missing from the registry.
describe.runIf((await postgresAvailable()) && (await redisAvailable()))(
  'sessions of gateway processes that are gone (PostgreSQL and Redis)',
  () => {
    const cleanup: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const c of cleanup.reverse()) await c();
    });

    // Each test run has its own registry, so other test files' gateways do not count as alive here.
    const redisEnv = { REDIS_URL: TEST_REDIS_URL, PRINTERMASTER_REDIS_PREFIX: `pm-gone-${randomUUID().slice(0, 8)}:` };

    it('are closed once the next process is ready; sessions opened within the margin stay open', async () => {
      const { schema, drop } = await createTestSchema();
      cleanup.push(drop);
      const first: TestGateway = await startTestGateway({
        store: 'postgres',
        schema,
        env: { ...redisEnv, PRINTERMASTER_INSTANCE_ID: 'gw-first' },
      });
      const t = await first.seedTenant('Crashed');
      // What a process killed without a drain leaves behind: open sessions under its own id.
      const session = (id: string, minutesAgo: number) =>
        sql`insert into device_sessions (id, company_id, branch_id, device_id, gateway_instance, connected_at)
          values (${id}, ${t.companyId}, ${t.branchId}, ${`pc-${id}`}, 'gw-crashed-1234',
                  now() - make_interval(mins => ${minutesAgo}))`.execute(first.database.db);
      const old = randomUUID();
      const recent = randomUUID();
      await session(old, 10);
      await session(recent, 0);
      await first.close();

      const next = await startTestGateway({
        store: 'postgres',
        schema,
        env: { ...redisEnv, PRINTERMASTER_INSTANCE_ID: 'gw-next' },
      });
      cleanup.push(() => next.close());
      // The sweep runs once the gateway is ready, off the start-up path; it closes in one statement,
      // so once the old session is closed, whatever that sweep closed is.
      const sessions = async () => {
        const rows = await next.database.db
          .selectFrom('deviceSessions')
          .select(['id', 'disconnectedAt', 'disconnectReason'])
          .where('id', 'in', [old, recent])
          .execute();
        return new Map(rows.map((r) => [r.id, r]));
      };
      const byId = await eventually(
        async () => {
          const now = await sessions();
          return now.get(old)?.disconnectedAt ? now : undefined;
        },
        30_000,
        'the old session closed by the sweep',
      );
      expect(byId.get(old)?.disconnectReason).toBe('gateway process gone');
      expect(byId.get(old)?.disconnectedAt).not.toBeNull();
      // Within two registry lifetimes (60 s): it may be a process that has not announced itself yet.
      expect(byId.get(recent)?.disconnectedAt).toBeNull();
    });
  },
);
