import { type Kysely, type Selectable, sql } from 'kysely';
import { GatewayError } from '../core/gateway-error.js';
import type { Station, StationStore } from '../core/ports/station-store.js';
import type { DatabaseSchema, StationTable } from './database-schema.js';
import { isPgError, UNIQUE_VIOLATION } from './pg-errors.js';

export class PgStationStore implements StationStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async insert(s: {
    id: string;
    companyId: string;
    branchId: string;
    name: string;
    printerIds: string[];
  }): Promise<Station> {
    try {
      const row = await this.db
        .insertInto('stations')
        .values({ ...s, printerIds: JSON.stringify(s.printerIds) })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toStation(row);
    } catch (err) {
      throw translate(err, s.name);
    }
  }

  async find(id: string): Promise<Station | undefined> {
    const row = await this.db.selectFrom('stations').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toStation(row);
  }

  async list(filter: { companyId?: string; branchId?: string }): Promise<Station[]> {
    let q = this.db.selectFrom('stations').selectAll();
    if (filter.companyId) q = q.where('companyId', '=', filter.companyId);
    if (filter.branchId) q = q.where('branchId', '=', filter.branchId);
    return (await q.orderBy('branchId').orderBy('name').execute()).map(toStation);
  }

  async withPrinter(printerId: string): Promise<Station[]> {
    const rows = await this.db
      .selectFrom('stations')
      .selectAll()
      .where(sql<boolean>`printer_ids @> ${JSON.stringify([printerId])}::jsonb`)
      .execute();
    return rows.map(toStation);
  }

  async update(id: string, fields: { name?: string; printerIds?: string[] }): Promise<Station | undefined> {
    try {
      const row = await this.db
        .updateTable('stations')
        .set({
          ...(fields.name === undefined ? {} : { name: fields.name }),
          ...(fields.printerIds === undefined ? {} : { printerIds: JSON.stringify(fields.printerIds) }),
          updatedAt: sql`now()`,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toStation(row);
    } catch (err) {
      throw translate(err, fields.name);
    }
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('stations').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function translate(err: unknown, name: string | undefined): unknown {
  if (isPgError(err, UNIQUE_VIOLATION)) {
    return new GatewayError('CONFLICT', {
      message: `a station named "${name ?? ''}" already exists in this branch`,
      cause: err,
    });
  }
  return err;
}

function toStation(row: Selectable<StationTable>): Station {
  return {
    id: row.id,
    companyId: row.companyId,
    branchId: row.branchId,
    name: row.name,
    printerIds: row.printerIds,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
