import type { PrinterDiscovered, PrinterStatus } from '@printermaster/protocol';
import type { Printer } from './ports/printer-store.js';

/** A printer as an agent or the legacy bulk endpoint describes it. */
export interface ReportedPrinter {
  id?: string;
  name: string;
  type?: string;
  connection?: string;
  status?: PrinterStatus;
  ip?: string;
  port?: number;
  manufacturer?: string;
  model?: string;
  location?: string;
  paperWidth?: number;
  assignedTo?: string;
  isDefault?: boolean;
  capabilities?: string[];
  discoveredBy?: string;
  discoveryMethod?: string;
  systemName?: string;
}

/** Whether a re-reported printer changed a field a printer test sends (agents re-report often). */
export function addressChanged(before: Printer, after: Printer): boolean {
  return (
    before.name !== after.name ||
    before.type !== after.type ||
    before.connection !== after.connection ||
    before.ip !== after.ip ||
    before.port !== after.port ||
    before.deviceId !== after.deviceId ||
    before.companyId !== after.companyId ||
    before.branchId !== after.branchId ||
    JSON.stringify(before.capabilities) !== JSON.stringify(after.capabilities)
  );
}

/** Maps an agent's `printer:discovered` payload to a reported printer. */
export function fromDiscovered(payload: PrinterDiscovered): ReportedPrinter {
  const address = parseAddress(payload.device) ?? parseAddress(payload.systemPrinter);
  return {
    id: payload.id,
    name: payload.name,
    type: payload.type,
    connection: payload.connection,
    status: payload.status,
    ip: payload.ip ?? address?.ip,
    port: payload.port ?? address?.port,
    capabilities: payload.capabilities,
    discoveredBy: payload.discoveredBy,
    discoveryMethod: payload.discoveryMethod,
    systemName: typeof payload.systemPrinter === 'string' ? payload.systemPrinter : undefined,
  };
}

/** Reads `{ip, port}` out of the loose `device` shapes agents send (an object, or `host:port`). */
function parseAddress(value: unknown): { ip?: string; port?: number } | undefined {
  if (typeof value === 'string') {
    const m = /^(?:tcp:\/\/)?([\w.-]{1,255}):(\d{1,5})$/.exec(value.trim());
    const port = m ? validPort(Number(m[2])) : undefined;
    return m && port !== undefined ? { ip: m[1], port } : undefined;
  }
  if (typeof value === 'object' && value !== null) {
    const v = value as Record<string, unknown>;
    const host = typeof v.ip === 'string' ? v.ip : typeof v.host === 'string' ? v.host : undefined;
    // The same bounds as the printer API's own `ip` field.
    const ip = host !== undefined && host.length <= 255 ? host : undefined;
    const port = validPort(v.port);
    if (ip || port) return { ip, port };
  }
  return undefined;
}

/** A TCP port, or `undefined` for anything else (the loose shapes carry all sorts). */
function validPort(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65_535 ? value : undefined;
}
