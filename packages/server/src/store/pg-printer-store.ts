import type { PrinterStatus } from '@printermaster/protocol';
import { type Kysely, type Selectable, sql } from 'kysely';
import { GatewayError } from '../core/gateway-error.js';
import type { Printer, PrinterFields, PrinterStore } from '../core/ports/printer-store.js';
import type { DatabaseSchema, PrinterTable } from './database-schema.js';
import { isPgError, UNIQUE_VIOLATION } from './pg-errors.js';

export class PgPrinterStore implements PrinterStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async insert(p: { id: string; companyId: string; branchId: string; name: string } & PrinterFields): Promise<Printer> {
    try {
      const row = await this.db
        .insertInto('printers')
        .values({ ...toColumns(p), id: p.id, companyId: p.companyId, branchId: p.branchId, name: p.name })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toPrinter(row);
    } catch (err) {
      throw translate(err, p.name);
    }
  }

  async update(id: string, fields: PrinterFields): Promise<Printer | undefined> {
    try {
      const row = await this.db
        .updateTable('printers')
        .set({ ...toColumns(fields), updatedAt: sql`now()` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toPrinter(row);
    } catch (err) {
      throw translate(err, fields.name);
    }
  }

  async find(id: string): Promise<Printer | undefined> {
    const row = await this.db.selectFrom('printers').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toPrinter(row);
  }

  async findByName(branchId: string, name: string): Promise<Printer | undefined> {
    const row = await this.db
      .selectFrom('printers')
      .selectAll()
      .where('branchId', '=', branchId)
      .where('name', '=', name)
      .executeTakeFirst();
    return row && toPrinter(row);
  }

  async list(filter: { companyId?: string; branchId?: string; status?: PrinterStatus }): Promise<Printer[]> {
    let q = this.db.selectFrom('printers').selectAll();
    if (filter.companyId) q = q.where('companyId', '=', filter.companyId);
    if (filter.branchId) q = q.where('branchId', '=', filter.branchId);
    if (filter.status) q = q.where('status', '=', filter.status);
    return (await q.orderBy('branchId').orderBy('name').execute()).map(toPrinter);
  }

  async countInBranch(branchId: string): Promise<number> {
    const row = await this.db
      .selectFrom('printers')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('branchId', '=', branchId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('printers').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async updateStatuses(
    branchId: string,
    updates: { id: string; status: PrinterStatus; seenAt: Date }[],
  ): Promise<Printer[]> {
    if (updates.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      const changed: Printer[] = [];
      for (const u of updates) {
        const row = await trx
          .updateTable('printers')
          .set({ status: u.status, lastSeenAt: u.seenAt, updatedAt: sql`now()` })
          .where('id', '=', u.id)
          .where('branchId', '=', branchId)
          .returningAll()
          // The previous status, to tell a change from a repeat.
          .returning(sql<string>`(select status from printers p2 where p2.id = printers.id)`.as('previousStatus'))
          .executeTakeFirst();
        if (row && row.previousStatus !== u.status) changed.push(toPrinter(row));
      }
      return changed;
    });
  }
}

function toColumns(f: PrinterFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(f)) {
    if (value === undefined) continue;
    out[key] = key === 'capabilities' ? JSON.stringify(value) : value;
  }
  return out;
}

function translate(err: unknown, name: string | undefined): unknown {
  if (isPgError(err, UNIQUE_VIOLATION)) {
    return new GatewayError('CONFLICT', {
      message: `a printer named "${name ?? ''}" already exists in this branch`,
      cause: err,
    });
  }
  return err;
}

function toPrinter(row: Selectable<PrinterTable>): Printer {
  return {
    id: row.id,
    companyId: row.companyId,
    branchId: row.branchId,
    name: row.name,
    type: row.type,
    connection: row.connection,
    status: row.status as PrinterStatus,
    ip: row.ip,
    port: row.port,
    systemName: row.systemName,
    manufacturer: row.manufacturer,
    model: row.model,
    location: row.location,
    paperWidth: row.paperWidth,
    assignedTo: row.assignedTo,
    isDefault: row.isDefault,
    capabilities: row.capabilities,
    discoveredBy: row.discoveredBy,
    discoveryMethod: row.discoveryMethod,
    deviceId: row.deviceId,
    lastSeenAt: row.lastSeenAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
