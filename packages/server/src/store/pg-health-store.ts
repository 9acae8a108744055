import type { ConnectionQuality } from '@printermaster/protocol';
import type { Kysely } from 'kysely';
import type { HealthSample, HealthStore } from '../core/ports/health-store.js';
import type { OutboxEvent } from '../core/ports/outbox-event.js';
import type { DatabaseSchema } from './database-schema.js';
import { outboxRow } from './outbox-rows.js';

export class PgHealthStore implements HealthStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async append(
    sample: Omit<HealthSample, 'createdAt'>,
    keep: number,
    alertOf?: (sample: Omit<HealthSample, 'createdAt'>) => OutboxEvent | undefined,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const alert = alertOf?.(sample);
      if (alert) {
        const previous = await trx
          .selectFrom('deviceHealthReports')
          .selectAll()
          .where('branchId', '=', sample.branchId)
          .where('deviceId', '=', sample.deviceId)
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirst();
        const before =
          previous &&
          alertOf?.({ ...previous, connectionQuality: previous.connectionQuality as ConnectionQuality | null });
        if (JSON.stringify(before?.data.alerts) !== JSON.stringify(alert.data.alerts)) {
          await trx.insertInto('events').values(outboxRow(alert)).execute();
        }
      }
      await trx
        .insertInto('deviceHealthReports')
        .values({ ...sample, report: JSON.stringify(sample.report) })
        .execute();
      await trx
        .deleteFrom('deviceHealthReports')
        .where('branchId', '=', sample.branchId)
        .where('deviceId', '=', sample.deviceId)
        .where('id', 'not in', (eb) =>
          eb
            .selectFrom('deviceHealthReports')
            .select('id')
            .where('branchId', '=', sample.branchId)
            .where('deviceId', '=', sample.deviceId)
            .orderBy('id', 'desc')
            .limit(keep),
        )
        .execute();
    });
  }

  async history(branchId: string, deviceId: string, limit: number): Promise<HealthSample[]> {
    const rows = await this.db
      .selectFrom('deviceHealthReports')
      .selectAll()
      .where('branchId', '=', branchId)
      .where('deviceId', '=', deviceId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      companyId: r.companyId,
      branchId: r.branchId,
      deviceId: r.deviceId,
      averageLatency: r.averageLatency,
      packetLossRate: r.packetLossRate,
      connectionQuality: r.connectionQuality as ConnectionQuality | null,
      report: r.report,
      createdAt: r.createdAt,
    }));
  }
}
