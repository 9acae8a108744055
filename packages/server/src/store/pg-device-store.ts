import { type Kysely, type Selectable, sql } from 'kysely';
import type { Device, DeviceStore, DeviceUpsert } from '../core/ports/device-store.js';
import type { DatabaseSchema, DeviceTable } from './database-schema.js';

export class PgDeviceStore implements DeviceStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async upsert(d: DeviceUpsert): Promise<void> {
    const values = {
      companyId: d.companyId,
      branchId: d.branchId,
      deviceId: d.deviceId,
      licenseId: d.licenseId ?? null,
      kind: d.kind ?? 'legacy',
      hostname: d.hostname ?? null,
      platform: d.platform ?? null,
      arch: d.arch ?? null,
      appVersion: d.appVersion ?? null,
      protocolVersion: d.protocolVersion ?? null,
      capabilities: JSON.stringify(d.capabilities ?? []),
      lastAddress: d.lastAddress ?? null,
    };
    // Only the fields the caller knows overwrite what is stored.
    const update: Record<string, unknown> = { lastSeenAt: sql`now()` };
    for (const key of Object.keys(values) as (keyof typeof values)[]) {
      if (key === 'companyId' || key === 'branchId' || key === 'deviceId') continue;
      const given = key === 'capabilities' ? d.capabilities : d[key as keyof DeviceUpsert];
      if (given !== undefined) update[key] = values[key];
    }
    await this.db
      .insertInto('devices')
      .values(values)
      .onConflict((oc) => oc.columns(['branchId', 'deviceId']).doUpdateSet(update))
      .execute();
  }

  async find(branchId: string, deviceId: string): Promise<Device | undefined> {
    const row = await this.db
      .selectFrom('devices')
      .selectAll()
      .where('branchId', '=', branchId)
      .where('deviceId', '=', deviceId)
      .executeTakeFirst();
    return row && toDevice(row);
  }

  async list(filter: { companyId?: string; branchId?: string }): Promise<Device[]> {
    let q = this.db.selectFrom('devices').selectAll();
    if (filter.companyId) q = q.where('companyId', '=', filter.companyId);
    if (filter.branchId) q = q.where('branchId', '=', filter.branchId);
    return (await q.orderBy('lastSeenAt', 'desc').execute()).map(toDevice);
  }

  async openSession(s: {
    id: string;
    companyId: string;
    branchId: string;
    deviceId: string;
    gatewayInstance: string;
    remoteAddress: string | null;
    protocolVersion: number | null;
  }): Promise<void> {
    await this.db.insertInto('deviceSessions').values(s).execute();
  }

  async closeSession(id: string, reason: string): Promise<void> {
    await this.db
      .updateTable('deviceSessions')
      .set({ disconnectedAt: sql`now()`, disconnectReason: reason })
      .where('id', '=', id)
      .where('disconnectedAt', 'is', null)
      .execute();
  }

  async closeOrphanSessions(gatewayInstance: string | undefined, reason: string): Promise<number> {
    let q = this.db
      .updateTable('deviceSessions')
      .set({ disconnectedAt: sql`now()`, disconnectReason: reason })
      .where('disconnectedAt', 'is', null);
    if (gatewayInstance !== undefined) q = q.where('gatewayInstance', '=', gatewayInstance);
    const result = await q.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

function toDevice(row: Selectable<DeviceTable>): Device {
  return {
    companyId: row.companyId,
    branchId: row.branchId,
    deviceId: row.deviceId,
    licenseId: row.licenseId,
    kind: row.kind === 'v2' ? 'v2' : 'legacy',
    hostname: row.hostname,
    platform: row.platform,
    appVersion: row.appVersion,
    protocolVersion: row.protocolVersion,
    capabilities: row.capabilities,
    lastAddress: row.lastAddress,
    firstSeenAt: row.firstSeenAt,
    lastSeenAt: row.lastSeenAt,
  };
}
