import type { PrinterStatus, PrinterStatusReason } from '@printermaster/protocol';
import type { Selectable } from 'kysely';
import type { Printer, PrinterFields } from '../core/ports/printer-store.js';
import type { PrinterTable } from './database-schema.js';

/** A printer's fields as the `printers` table's columns (JSON ones as text). */
export function toColumns(f: PrinterFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // A status set without its reason (a user's change, a discovery) has none: an old one would mislead.
  if (f.status !== undefined && f.statusReason === undefined) out.statusReason = null;
  for (const [key, value] of Object.entries(f)) {
    if (value === undefined) continue;
    out[key] = key === 'capabilities' || key === 'profile' ? (value === null ? null : JSON.stringify(value)) : value;
  }
  return out;
}

/** A `printers` row as the core's `Printer`. */
export function toPrinter(row: Selectable<PrinterTable>): Printer {
  return {
    id: row.id,
    companyId: row.companyId,
    branchId: row.branchId,
    name: row.name,
    type: row.type,
    connection: row.connection,
    status: row.status as PrinterStatus,
    statusReason: row.statusReason as PrinterStatusReason | null,
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
    profile: row.profile,
    discoveredBy: row.discoveredBy,
    discoveryMethod: row.discoveryMethod,
    deviceId: row.deviceId,
    lastSeenAt: row.lastSeenAt,
    canary:
      row.canaryAt === null
        ? null
        : { at: row.canaryAt, ok: row.canaryOk === true, ms: row.canaryMs, reason: row.canaryReason },
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
