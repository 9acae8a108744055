import { randomUUID } from 'node:crypto';
import type { PrinterStatus } from '@printermaster/protocol';
import { isoTime } from '@printermaster/protocol';
import type { Clock } from './clock.js';
import { GatewayError } from './gateway-error.js';
import { DEFAULT_MEMORY_BOUNDS } from './memory-bounds.js';
import type { AuditLog } from './ports/audit-log.js';
import type { Broadcaster } from './ports/broadcaster.js';
import type { LicenseStore } from './ports/license-store.js';
import type { Printer, PrinterFields, PrinterStore, StatusReport } from './ports/printer-store.js';
import type { TenantStore } from './ports/tenant-store.js';
import {
  type AgentPrincipal,
  canSee,
  listScope,
  MANAGER_ROLES,
  originOf,
  requireRole,
  type UserPrincipal,
} from './principal.js';
import { PrinterCache } from './printer-cache.js';
import { toPrinterView } from './printer-view.js';
import { addressChanged, type ReportedPrinter } from './reported-printer.js';

export { fromDiscovered, type ReportedPrinter } from './reported-printer.js';

export interface UpsertOutcome {
  printer: Printer;
  /** False when the printer was already known (the legacy bulk API calls it a duplicate). */
  created: boolean;
}

export interface PrinterServiceDeps {
  printers: PrinterStore;
  licenses: LicenseStore;
  tenants: TenantStore;
  audit: AuditLog;
  broadcaster: Broadcaster;
  clock: Clock;
  /** How long a printer read for a test or a job is reused, ms (default 5 s). */
  cacheTtlMs?: number;
  /** Printers kept in memory at most, the least recently read dropped first (PRINTERMASTER_PRINTER_CACHE_MAX). */
  cacheMaxEntries?: number;
}

/** Printers of a branch: what agents report, and what managers set through the API. */
export class PrinterService {
  private readonly cache: PrinterCache;
  private readonly changeListeners: ((printerId: string) => void)[] = [];
  private readonly statusListeners = new Set<(printer: Printer) => void>();

  private readonly printers: PrinterStore;
  private readonly licenses: LicenseStore;
  private readonly tenants: TenantStore;
  private readonly audit: AuditLog;
  private readonly broadcaster: Broadcaster;
  private readonly clock: Clock;

  constructor(deps: PrinterServiceDeps) {
    ({ printers: this.printers, licenses: this.licenses, tenants: this.tenants, audit: this.audit } = deps);
    this.broadcaster = deps.broadcaster;
    this.clock = deps.clock;
    this.cache = new PrinterCache(deps.clock, {
      ttlMs: deps.cacheTtlMs ?? 5_000,
      maxEntries: deps.cacheMaxEntries ?? DEFAULT_MEMORY_BOUNDS.printerCache,
    });
  }

  /** Called after this process changed a printer's stored fields (to tell other processes). */
  onChanged(listener: (printerId: string) => void): void {
    this.changeListeners.push(listener);
  }

  /** Drops a printer from the hot-path cache: another process changed it. */
  forget(printerId: string): void {
    this.cache.forget(printerId);
  }

  list(
    user: UserPrincipal,
    filter: { companyId?: string; branchId?: string; status?: PrinterStatus },
  ): Promise<Printer[]> {
    return this.printers.list({ ...listScope(user, filter), status: filter.status });
  }

  /** The printer if `user` may see it; `PRINTER_NOT_FOUND` otherwise (no hint that it exists elsewhere). */
  async get(user: UserPrincipal, id: string): Promise<Printer> {
    const printer = await this.printers.find(id);
    if (!printer || !canSee(user, printer.companyId, printer.branchId)) throw new GatewayError('PRINTER_NOT_FOUND');
    return printer;
  }

  /**
   * As `get`, from the in-process cache when fresh: for printer tests, which read the
   * address and never the live status. A change through any process drops the entry.
   */
  async getCached(user: UserPrincipal, id: string): Promise<Printer> {
    return this.visible(user, await this.findCached(id));
  }

  /**
   * A printer by id from the in-process cache when fresh, for any caller (no tenant check).
   * For reads of what never changes or may lag a few seconds: a printer's id, company and
   * branch are fixed, and one deleted through another process is found for at most the
   * cache's TTL (5 s by default) if the cluster bus notice was lost.
   */
  findCached(id: string): Promise<Printer | undefined> {
    return this.cache.get(id, (key) => this.printers.find(key));
  }

  /** Hits and misses of the printer cache, since start (metrics). */
  cacheLookups(): { hits: number; misses: number } {
    return this.cache.lookups;
  }

  /**
   * As `getCached` when the cache holds the printer; `undefined` when it must be loaded
   * (then call `getCached`). Throws `PRINTER_NOT_FOUND` for a cached printer the user may not see.
   */
  peekCached(user: UserPrincipal, id: string): Printer | undefined {
    const printer = this.cache.peek(id);
    return printer && this.visible(user, printer);
  }

  private visible(user: UserPrincipal, printer: Printer | undefined): Printer {
    if (!printer || !canSee(user, printer.companyId, printer.branchId)) throw new GatewayError('PRINTER_NOT_FOUND');
    return printer;
  }

  async create(user: UserPrincipal, branchId: string, fields: PrinterFields & { name: string }): Promise<Printer> {
    requireRole(user, MANAGER_ROLES);
    const branch = await this.tenants.findBranch(branchId);
    if (!branch || !canSee(user, branch.companyId, branch.id)) throw new GatewayError('BRANCH_NOT_FOUND');
    const printer = await this.printers.insert({ ...fields, id: randomUUID(), companyId: branch.companyId, branchId });
    await this.afterChange(user, printer, 'created', 'printer.created');
    return printer;
  }

  async update(user: UserPrincipal, id: string, fields: PrinterFields): Promise<Printer> {
    requireRole(user, MANAGER_ROLES);
    await this.get(user, id);
    const printer = await this.printers.update(id, fields);
    this.changed(id);
    if (!printer) throw new GatewayError('PRINTER_NOT_FOUND');
    await this.afterChange(user, printer, 'updated', 'printer.updated');
    return printer;
  }

  async delete(user: UserPrincipal, id: string): Promise<void> {
    requireRole(user, MANAGER_ROLES);
    const printer = await this.get(user, id);
    const deleted = await this.printers.delete(id);
    this.changed(id);
    if (!deleted) throw new GatewayError('PRINTER_NOT_FOUND');
    await this.afterChange(user, printer, 'deleted', 'printer.deleted');
  }

  /**
   * Upserts a printer an agent reported: by `id` when that id is a printer of the
   * agent's branch, else by branch + name. A new printer counts against the
   * licence's `maxPrinters`.
   */
  async upsertReported(agent: AgentPrincipal, reported: ReportedPrinter): Promise<UpsertOutcome> {
    const byId = reported.id ? await this.printers.find(reported.id) : undefined;
    const existing =
      byId && byId.branchId === agent.branchId ? byId : await this.printers.findByName(agent.branchId, reported.name);
    const now = new Date(this.clock.now());
    const fields: PrinterFields = {
      name: reported.name,
      type: reported.type,
      connection: reported.connection,
      status: reported.status,
      ip: reported.ip,
      port: reported.port,
      manufacturer: reported.manufacturer,
      model: reported.model,
      location: reported.location,
      // Reported loosely (the legacy bulk API takes any number): kept only within the API's own range.
      paperWidth:
        reported.paperWidth !== undefined && reported.paperWidth >= 20 && reported.paperWidth <= 120
          ? reported.paperWidth
          : undefined,
      assignedTo: reported.assignedTo,
      isDefault: reported.isDefault,
      capabilities: reported.capabilities,
      discoveredBy: reported.discoveredBy,
      discoveryMethod: reported.discoveryMethod,
      systemName: reported.systemName,
      deviceId: agent.deviceId,
      lastSeenAt: now,
    };
    if (existing) {
      const printer = (await this.printers.update(existing.id, fields)) ?? existing;
      if (addressChanged(existing, printer)) this.changed(existing.id);
      if (printer.status !== existing.status) this.broadcastStatus(printer);
      return { printer, created: false };
    }
    const license = await this.licenses.findById(agent.licenseId);
    if (license && (await this.printers.countInBranch(agent.branchId)) >= license.maxPrinters) {
      throw new GatewayError('PRINTER_LIMIT_REACHED', { details: { maxPrinters: license.maxPrinters } });
    }
    // An agent's own id is kept when it is free, so the agent can keep addressing the printer by it.
    const id = reported.id && !byId ? reported.id : randomUUID();
    const printer = await this.printers.insert({
      ...fields,
      name: reported.name,
      id,
      companyId: agent.companyId,
      branchId: agent.branchId,
    });
    await this.audit.record({
      companyId: agent.companyId,
      actor: `agent:${agent.deviceId}`,
      action: 'printer.discovered',
      targetType: 'printer',
      targetId: printer.id,
    });
    return { printer, created: true };
  }

  /** Records statuses an agent reported and broadcasts the ones that changed. */
  async recordStatuses(agent: AgentPrincipal, updates: StatusReport[]): Promise<number> {
    const changed = await this.printers.updateStatuses(agent.branchId, updates);
    for (const printer of changed) {
      this.broadcastStatus(printer);
      for (const listener of this.statusListeners) listener(printer);
    }
    return changed.length;
  }

  /** Printers by stored status and reason, across all tenants (the `printermaster_printers` gauge). */
  countByStatus(): Promise<{ status: string; reason: string | null; count: number }[]> {
    return this.printers.countByStatus();
  }

  /** The printer's status changes, newest first, in the caller's scope. */
  async statusHistory(user: UserPrincipal, id: string, limit: number) {
    await this.get(user, id);
    return this.printers.statusHistory(id, limit);
  }

  /** Called with each printer whose status an agent's report changed (station failover). */
  onStatusChanged(listener: (printer: Printer) => void): void {
    this.statusListeners.add(listener);
  }

  /** Broadcasts a discovery to the branch's web clients. */
  announce(printer: Printer, action: 'discovered' | 'updated'): void {
    this.broadcaster.printerUpdated({
      action,
      printer: toPrinterView(printer),
      branchId: printer.branchId,
      companyId: printer.companyId,
      timestamp: isoTime(this.clock.now()),
    });
  }

  private changed(printerId: string): void {
    this.cache.forget(printerId);
    for (const listener of this.changeListeners) listener(printerId);
  }

  private broadcastStatus(printer: Printer): void {
    this.broadcaster.printerStatusChanged({
      printerId: printer.id,
      name: printer.name,
      status: printer.status,
      ...(printer.statusReason !== null ? { reason: printer.statusReason } : {}),
      branchId: printer.branchId,
      companyId: printer.companyId,
      lastSeen: (printer.lastSeenAt ?? printer.updatedAt).toISOString(),
    });
  }

  private async afterChange(
    user: UserPrincipal,
    printer: Printer,
    action: 'created' | 'updated' | 'deleted',
    auditAction: string,
  ): Promise<void> {
    this.broadcaster.printerUpdated({
      action,
      printer: toPrinterView(printer),
      branchId: printer.branchId,
      companyId: printer.companyId,
      timestamp: isoTime(this.clock.now()),
    });
    await this.audit.record({
      companyId: printer.companyId,
      actor: `user:${user.userId}`,
      action: auditAction,
      targetType: 'printer',
      targetId: printer.id,
      ...originOf(user),
    });
  }
}
