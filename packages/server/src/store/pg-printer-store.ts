import type { PrinterStatus, PrinterStatusReason } from '@printermaster/protocol';
import { type Kysely, type Selectable, sql } from 'kysely';
import { GatewayError } from '../core/gateway-error.js';
import type { OutboxEvent } from '../core/ports/outbox-event.js';
import type { CanaryResult, Printer, PrinterFields, PrinterStore, StatusReport } from '../core/ports/printer-store.js';
import type { DatabaseSchema, PrinterTable } from './database-schema.js';
import { outboxRow } from './outbox-rows.js';
import { isPgError, UNIQUE_VIOLATION } from './pg-errors.js';
import { toColumns, toPrinter } from './pg-printer-rows.js';
import { statementBatcher } from './statement-batcher.js';

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
      if (fields.status === undefined) {
        const row = await this.db
          .updateTable('printers')
          .set({ ...toColumns(fields), updatedAt: sql`now()` })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        return row && toPrinter(row);
      }
      // A status set by hand is a status change like an agent's report: its event goes with it.
      return await this.db.transaction().execute(async (trx) => {
        const before = await trx
          .selectFrom('printers')
          .select('status')
          .where('id', '=', id)
          .forUpdate()
          .executeTakeFirst();
        const row = await trx
          .updateTable('printers')
          .set({ ...toColumns(fields), updatedAt: sql`now()` })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        if (!row || !before) return undefined;
        if (before.status !== row.status) {
          await trx
            .insertInto('events')
            .values(outboxRow(statusChanged(toPrinter(row), before.status)))
            .execute();
        }
        return toPrinter(row);
      });
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
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('printers').where('id', '=', id).executeTakeFirst();
      if (result.numDeletedRows === 0n) return false;
      // A station lists its printers by id, with no foreign key: a deleted printer leaves every list.
      await sql`update stations set printer_ids = printer_ids - ${id}::text, updated_at = now()
        where printer_ids @> jsonb_build_array(${id}::text)`.execute(trx);
      return true;
    });
  }

  /**
   * Status reports of many agents arriving together (every agent reports its printers) are
   * written in one statement. The row takes a printer's last report of the batch, but every
   * change is still returned, in order, to the caller that reported it: a printer that went
   * to `error` and back must reach the dashboards whether or not load put both reports in
   * one batch.
   */
  private readonly statusWrites = statementBatcher<{ branchId: string; updates: readonly StatusReport[] }, Printer[]>(
    async (calls) => {
      type Report = {
        call: number;
        branchId: string;
        id: string;
        status: PrinterStatus;
        reason: PrinterStatusReason | null;
        seenAt: Date;
      };
      // Each printer's reports in arrival order; the last one is what the row ends up with.
      const reports = new Map<string, Report[]>();
      calls.forEach((c, call) => {
        for (const u of c.updates) {
          const key = `${c.branchId}\u0000${u.id}`;
          const r: Report = { call, branchId: c.branchId, ...u, reason: u.reason ?? null };
          const list = reports.get(key);
          if (list) list.push(r);
          else reports.set(key, [r]);
        }
      });
      const results: Printer[][] = calls.map(() => []);
      if (reports.size === 0) return results;
      // Rows in key order, so that two batches lock the same printers in the same order.
      const rows = [...reports.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, list]) => list[list.length - 1] as Report);
      // At most 4,000 rows (16,000 parameters) per statement: PostgreSQL takes 65,535 parameters.
      for (let i = 0; i < rows.length; i += 4_000) {
        const values = sql.join(
          rows
            .slice(i, i + 4_000)
            .map(
              (r) =>
                sql`(${r.id}, ${r.branchId}, ${r.status}, ${r.reason}::text, ${r.seenAt.toISOString()}::timestamptz)`,
            ),
        );
        // The sub-selects in RETURNING see the rows as they were before this statement: the previous
        // status and reason. A printer whose stored status or reason changed gets its
        // `printer.status_changed` event in the same statement (a change undone within one batch
        // leaves the row, and the outbox, as they were).
        const updated = await sql<Selectable<PrinterTable> & { previousStatus: string; previousReason: string | null }>`
          with u as (
            update printers as p
               set status = v.status, status_reason = v.reason, last_seen_at = v.seen_at, updated_at = now()
              from (values ${values}) as v (id, branch_id, status, reason, seen_at)
             where p.id = v.id and p.branch_id = v.branch_id
            returning p.*, (select p2.status from printers p2 where p2.id = p.id) as previous_status,
                      (select p2.status_reason from printers p2 where p2.id = p.id) as previous_reason
          ), outbox as (
            insert into events (company_id, branch_id, type, subject_id, data)
            select company_id, branch_id, 'printer.status_changed', id,
                   jsonb_build_object('printerId', id, 'branchId', branch_id, 'name', name, 'status', status,
                     'previousStatus', previous_status, 'reason', status_reason)
              from u where status is distinct from previous_status or status_reason is distinct from previous_reason
             order by id
          )
          select * from u`.execute(this.db);
        for (const row of updated.rows) {
          const printer = toPrinter(row);
          let previous = { status: row.previousStatus, reason: row.previousReason };
          for (const r of reports.get(`${row.branchId}\u0000${row.id}`) ?? []) {
            if (r.status === previous.status && r.reason === previous.reason) continue;
            results[r.call]?.push({ ...printer, status: r.status, statusReason: r.reason, lastSeenAt: r.seenAt });
            previous = { status: r.status, reason: r.reason };
          }
        }
      }
      return results;
    },
    { maxBatchSize: 200 },
  );

  async countByStatus(): Promise<{ status: string; reason: string | null; count: number }[]> {
    const rows = await this.db
      .selectFrom('printers')
      .select(['status', 'statusReason', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy(['status', 'statusReason'])
      .execute();
    return rows.map((r) => ({ status: r.status, reason: r.statusReason, count: Number(r.n) }));
  }

  async statusHistory(printerId: string, limit: number) {
    const rows = await this.db
      .selectFrom('events')
      .select(['createdAt', 'data'])
      .where('type', '=', 'printer.status_changed')
      .where('subjectId', '=', printerId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => {
      const d = r.data as { status?: string; previousStatus?: string | null; reason?: string | null };
      return {
        at: r.createdAt,
        status: d.status ?? 'unknown',
        previousStatus: d.previousStatus ?? null,
        reason: d.reason ?? null,
      };
    });
  }

  async recordCanaries(results: readonly CanaryResult[]): Promise<void> {
    if (results.length === 0) return;
    // One statement for a round's results; `updated_at` is the printer's own changes and stays.
    const rows = results.map((r) => sql`(${r.printerId}, ${r.at.toISOString()}, ${r.ok}, ${r.ms}, ${r.reason})`);
    await sql`UPDATE printers AS p
      SET canary_at = v.at::timestamptz, canary_ok = v.ok::boolean, canary_ms = v.ms::integer, canary_reason = v.reason
      FROM (VALUES ${sql.join(rows)}) AS v(id, at, ok, ms, reason)
      WHERE p.id = v.id`.execute(this.db);
  }

  updateStatuses(branchId: string, updates: readonly StatusReport[]): Promise<Printer[]> {
    if (updates.length === 0) return Promise.resolve([]);
    return this.statusWrites.load({ branchId, updates });
  }
}

/** The outbox event of a printer whose stored status changed (docs/events.md). */
function statusChanged(printer: Printer, previousStatus: string): OutboxEvent {
  return {
    companyId: printer.companyId,
    branchId: printer.branchId,
    type: 'printer.status_changed',
    subjectId: printer.id,
    data: {
      printerId: printer.id,
      branchId: printer.branchId,
      name: printer.name,
      status: printer.status,
      previousStatus,
      reason: printer.statusReason,
    },
  };
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
