import { type PrinterView, printerProfileOf } from '@printermaster/protocol';
import type { Printer } from './ports/printer-store.js';

export function toPrinterView(p: Printer): PrinterView {
  const view: PrinterView = {
    id: p.id,
    companyId: p.companyId,
    branchId: p.branchId,
    name: p.name,
    type: p.type,
    connection: p.connection,
    status: p.status,
    ...(p.statusReason !== null ? { statusReason: p.statusReason } : {}),
    isDefault: p.isDefault,
    capabilities: p.capabilities,
    profile: printerProfileOf(p),
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
  if (p.ip !== null) view.ip = p.ip;
  if (p.port !== null) view.port = p.port;
  if (p.manufacturer !== null) view.manufacturer = p.manufacturer;
  if (p.model !== null) view.model = p.model;
  if (p.location !== null) view.location = p.location;
  if (p.paperWidth !== null) view.paperWidth = p.paperWidth;
  if (p.assignedTo !== null) view.assignedTo = p.assignedTo;
  if (p.discoveredBy !== null) view.discoveredBy = p.discoveredBy;
  if (p.discoveryMethod !== null) view.discoveryMethod = p.discoveryMethod;
  if (p.deviceId !== null) view.deviceId = p.deviceId;
  if (p.lastSeenAt !== null) view.lastSeen = p.lastSeenAt.toISOString();
  if (p.canary !== null) {
    view.canary = { at: p.canary.at.toISOString(), ok: p.canary.ok };
    if (p.canary.ms !== null) view.canary.seconds = p.canary.ms / 1000;
    if (p.canary.reason !== null) view.canary.reason = p.canary.reason;
  }
  return view;
}
