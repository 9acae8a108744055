import { randomUUID } from 'node:crypto';
import type { PrinterView } from '@printermaster/protocol';
import { GatewayError } from './gateway-error.js';
import type { AuditLog, RequestOrigin } from './ports/audit-log.js';
import type { PrinterStore } from './ports/printer-store.js';
import type { Station, StationStore } from './ports/station-store.js';
import type { TenantStore } from './ports/tenant-store.js';
import { actorOf, canSee, listScope, MANAGER_ROLES, requireRole, type UserPrincipal } from './principal.js';
import type { PrinterPresence } from './printer-presence.js';

/** Most printers a station lists. */
export const MAX_STATION_PRINTERS = 10;

/** A printer that takes work now: reported online or busy by a connected agent. */
export function isReady(printer: Pick<PrinterView, 'status'>): boolean {
  return printer.status === 'online' || printer.status === 'busy';
}

export interface StationServiceDeps {
  stations: StationStore;
  printers: Pick<PrinterStore, 'find' | 'list'>;
  tenants: Pick<TenantStore, 'findBranch'>;
  /** Printers as they can be reached now (an agent gone makes its printers offline). */
  presence: Pick<PrinterPresence, 'views'>;
  audit: AuditLog;
}

/**
 * A branch's stations (docs/api.md#stations): the grill, the bar, the expo… each an ordered list of
 * the branch's printers. Managers create and change them; anyone who may print sends a job to one,
 * and it goes to the first of its printers that is ready (StationFailover moves it on later).
 */
export class StationService {
  constructor(private readonly deps: StationServiceDeps) {}

  async create(
    user: UserPrincipal,
    branchId: string,
    fields: { name: string; printerIds: string[] },
    origin: RequestOrigin = {},
  ): Promise<Station> {
    requireRole(user, MANAGER_ROLES);
    const branch = await this.deps.tenants.findBranch(branchId);
    if (!branch || !canSee(user, branch.companyId, branch.id)) throw new GatewayError('BRANCH_NOT_FOUND');
    await this.checkPrinters(branchId, fields.printerIds);
    const station = await this.deps.stations.insert({
      id: randomUUID(),
      companyId: branch.companyId,
      branchId,
      ...fields,
    });
    await this.record(user, 'station.created', station, origin);
    return station;
  }

  async list(user: UserPrincipal, filter: { companyId?: string; branchId?: string }): Promise<Station[]> {
    return this.deps.stations.list(listScope(user, filter));
  }

  async get(user: UserPrincipal, id: string): Promise<Station> {
    const station = await this.deps.stations.find(id);
    if (!station || !canSee(user, station.companyId, station.branchId)) throw new GatewayError('STATION_NOT_FOUND');
    return station;
  }

  async update(
    user: UserPrincipal,
    id: string,
    fields: { name?: string; printerIds?: string[] },
    origin: RequestOrigin = {},
  ): Promise<Station> {
    requireRole(user, MANAGER_ROLES);
    const existing = await this.get(user, id);
    if (fields.printerIds) await this.checkPrinters(existing.branchId, fields.printerIds);
    const station = await this.deps.stations.update(id, fields);
    if (!station) throw new GatewayError('STATION_NOT_FOUND');
    await this.record(user, 'station.updated', station, origin);
    return station;
  }

  async delete(user: UserPrincipal, id: string, origin: RequestOrigin = {}): Promise<void> {
    requireRole(user, MANAGER_ROLES);
    const station = await this.get(user, id);
    if (!(await this.deps.stations.delete(id))) throw new GatewayError('STATION_NOT_FOUND');
    await this.record(user, 'station.deleted', station, origin);
  }

  /** The printer a new job for the station goes to: the first ready one, else the first (it waits there). */
  async printerFor(user: UserPrincipal, stationId: string): Promise<string> {
    const station = await this.get(user, stationId);
    const ready = await this.firstReady(station);
    const first = station.printerIds[0];
    const chosen = ready ?? first;
    if (chosen === undefined) {
      throw new GatewayError('CONFLICT', {
        message: `station ${station.name} has no printers`,
        details: { stationId },
      });
    }
    return chosen;
  }

  /** The first printer of the station, in its order, that is ready now and not `except`. */
  async firstReady(station: Station, except?: string): Promise<string | undefined> {
    const found = await Promise.all(station.printerIds.map((id) => this.deps.printers.find(id)));
    const views = await this.deps.presence.views(found.filter((p) => p !== undefined));
    for (const id of station.printerIds) {
      const view = views.find((v) => v.id === id);
      if (id !== except && view && isReady(view)) return id;
    }
    return undefined;
  }

  private async checkPrinters(branchId: string, printerIds: string[]): Promise<void> {
    if (
      printerIds.length === 0 ||
      printerIds.length > MAX_STATION_PRINTERS ||
      new Set(printerIds).size !== printerIds.length
    ) {
      throw new GatewayError('BAD_REQUEST', {
        message: `a station lists 1 to ${MAX_STATION_PRINTERS} different printers`,
        details: { path: '/printerIds' },
      });
    }
    const branchPrinters = new Set((await this.deps.printers.list({ branchId })).map((p) => p.id));
    const foreign = printerIds.find((id) => !branchPrinters.has(id));
    if (foreign !== undefined) {
      throw new GatewayError('PRINTER_NOT_FOUND', {
        message: `printer ${foreign} is not a printer of the station's branch`,
        details: { path: '/printerIds', printerId: foreign },
      });
    }
  }

  private record(user: UserPrincipal, action: string, station: Station, origin: RequestOrigin): Promise<void> {
    return this.deps.audit.record({
      companyId: station.companyId,
      actor: actorOf(user),
      action,
      targetType: 'station',
      targetId: station.id,
      details: { branchId: station.branchId, name: station.name, printerIds: station.printerIds },
      ...origin,
    });
  }
}
