import { type Kysely, sql } from 'kysely';
import { type AgentLeaseStore, type LeaseClaim, type LeaseKey, leaseKeyOf } from '../core/ports/agent-lease-store.js';
import type { DatabaseSchema } from './database-schema.js';
import { outboxRow } from './outbox-rows.js';

export class PgAgentLeaseStore implements AgentLeaseStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  claim(c: LeaseClaim, ttlMs: number): Promise<{ holder: string; takenFrom: string | null }> {
    const until = sql<Date>`now() + ${`${ttlMs} milliseconds`}::interval`;
    return this.db.transaction().execute(async (trx) => {
      const current = await trx
        .selectFrom('agentLeases')
        .select(['deviceId', sql<boolean>`expires_at > now()`.as('live')])
        .where('branchId', '=', c.branchId)
        .where('groupName', '=', c.group)
        .forUpdate()
        .executeTakeFirst();
      if (current?.live && current.deviceId !== c.deviceId) return { holder: current.deviceId, takenFrom: null };
      await trx
        .insertInto('agentLeases')
        .values({
          branchId: c.branchId,
          groupName: c.group,
          companyId: c.companyId,
          deviceId: c.deviceId,
          instanceId: c.instanceId,
          expiresAt: until,
          acquiredAt: sql`now()`,
        })
        .onConflict((oc) =>
          oc.columns(['branchId', 'groupName']).doUpdateSet({
            deviceId: c.deviceId,
            instanceId: c.instanceId,
            expiresAt: until,
            acquiredAt: current?.deviceId === c.deviceId ? sql`agent_leases.acquired_at` : sql`now()`,
          }),
        )
        .execute();
      const takenFrom = current && current.deviceId !== c.deviceId ? current.deviceId : null;
      if (takenFrom !== null) {
        await trx
          .insertInto('events')
          .values(
            outboxRow({
              companyId: c.companyId,
              branchId: c.branchId,
              type: 'agent.switched',
              subjectId: c.deviceId,
              data: {
                branchId: c.branchId,
                group: c.group,
                deviceId: c.deviceId,
                from: takenFrom,
                instanceId: c.instanceId,
              },
            }),
          )
          .execute();
      }
      return { holder: c.deviceId, takenFrom };
    });
  }

  async renew(claims: readonly LeaseClaim[], ttlMs: number): Promise<void> {
    if (claims.length === 0) return;
    const rows = claims.map((c) => sql`(${c.branchId}, ${c.group}, ${c.deviceId})`);
    await sql`UPDATE agent_leases AS l SET expires_at = now() + ${`${ttlMs} milliseconds`}::interval
      FROM (VALUES ${sql.join(rows)}) AS v(branch_id, group_name, device_id)
      WHERE l.branch_id = v.branch_id AND l.group_name = v.group_name AND l.device_id = v.device_id`.execute(this.db);
  }

  async release(key: LeaseKey, deviceId: string, instanceId: string): Promise<void> {
    // Expired, not deleted: the next holder learns whom it took over from.
    await this.db
      .updateTable('agentLeases')
      .set({ expiresAt: sql`now()` })
      .where('branchId', '=', key.branchId)
      .where('groupName', '=', key.group)
      .where('deviceId', '=', deviceId)
      .where('instanceId', '=', instanceId)
      .execute();
  }

  async holders(keys: readonly LeaseKey[]): Promise<Map<string, string>> {
    if (keys.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('agentLeases')
      .select(['branchId', 'groupName', 'deviceId'])
      .where('branchId', 'in', [...new Set(keys.map((k) => k.branchId))])
      .where(sql<boolean>`expires_at > now()`)
      .execute();
    return new Map(rows.map((r) => [leaseKeyOf({ branchId: r.branchId, group: r.groupName }), r.deviceId]));
  }
}
