import type {
  DesktopHealthAlertEvent,
  PrinterStatusEntry,
  PrinterTestCompletedEvent,
  PrinterUpdateEvent,
  PrintJobUpdateEvent,
} from '@printermaster/protocol';
import type { Clock, Timer } from '../core/clock.js';
import { DEFAULT_MEMORY_BOUNDS } from '../core/memory-bounds.js';
import type { Broadcaster } from '../core/ports/broadcaster.js';
import type { Logger } from '../core/ports/logger.js';
import type { WebRoomsNamespace } from './gateway-sockets.js';
import { rooms } from './rooms.js';

export interface RoomBroadcasterOptions {
  /** Status changes of a branch are coalesced over this window, ms (docs/protocol.md#timeouts-and-intervals: 100). */
  statusBatchWindowMs: number;
  /** Called with the size of each status batch sent (metrics). */
  onStatusBatch?: (size: number) => void;
  /**
   * True when this process's rooms are all there is (no cluster adapter): an event for rooms
   * with no member here is then not encoded at all. With Redis, other processes may have members.
   */
  localOnly?: boolean;
  /**
   * Printers whose last sent status is remembered, to send only changes; the least recently
   * changed is forgotten past it (PRINTERMASTER_PRINTER_STATUS_MEMORY_MAX). Default 50,000.
   */
  lastSentStatusMax?: number;
}

export interface RoomBroadcasterDeps {
  logger: Logger;
  /** Runs the status batch window. */
  clock: Clock;
  options: RoomBroadcasterOptions;
}

/**
 * Sends web events to the rooms allowed to see them: a branch's events reach
 * that branch's users, its company's owners and super admins — never agents,
 * never another branch.
 */
export class RoomBroadcaster implements Broadcaster {
  private readonly logger: Logger;
  private readonly options: RoomBroadcasterOptions;
  private readonly clock: Clock;
  private namespace: WebRoomsNamespace | undefined;
  private readonly pendingStatus = new Map<string, { companyId: string; entries: Map<string, PrinterStatusEntry> }>();
  private readonly lastSentStatus = new Map<string, string>();
  private timer: Timer | undefined;

  constructor(deps: RoomBroadcasterDeps) {
    this.logger = deps.logger;
    this.options = deps.options;
    this.clock = deps.clock;
  }

  attach(namespace: WebRoomsNamespace): void {
    this.namespace = namespace;
  }

  printerUpdated(event: PrinterUpdateEvent): void {
    this.toBranch(event.branchId, event.companyId)?.emit('printerUpdate', event);
  }

  printerStatusChanged(entry: PrinterStatusEntry): void {
    let batch = this.pendingStatus.get(entry.branchId);
    if (!batch) {
      batch = { companyId: entry.companyId, entries: new Map() };
      this.pendingStatus.set(entry.branchId, batch);
    }
    // Within a window only the newest status of a printer counts.
    batch.entries.set(entry.printerId, entry);
    if (!this.timer) {
      this.timer = this.clock.setTimer(this.options.statusBatchWindowMs, () => this.flushStatus());
    }
  }

  printerTestCompleted(branchId: string, companyId: string, event: PrinterTestCompletedEvent): void {
    this.toBranch(branchId, companyId)?.emit('printer:test:completed', event);
  }

  jobUpdated(event: PrintJobUpdateEvent): void {
    this.toBranch(event.branchId, event.companyId)?.emit('printJobUpdate', event);
  }

  healthAlert(companyId: string, event: DesktopHealthAlertEvent): void {
    const targets = [rooms.companyAdmins(companyId), rooms.superAdmin];
    if (event.branchId) targets.push(rooms.branchAdmins(event.branchId));
    this.namespace?.to(targets).emit('desktop:health:alert', event);
  }

  /** Sends what is waiting now (shutdown, tests). */
  flushStatus(): void {
    this.timer?.cancel();
    this.timer = undefined;
    for (const [branchId, batch] of this.pendingStatus) {
      const changes = [...batch.entries.values()].filter((e) => {
        const key = `${e.printerId}`;
        // A new reason on the same status (paper near its end on an online printer) is news too.
        const sent = `${e.status}|${e.reason ?? ''}`;
        if (this.lastSentStatus.get(key) === sent) return false;
        this.lastSentStatus.delete(key);
        this.lastSentStatus.set(key, sent);
        // Printers come and go over the years; the least recently changed one is forgotten, at the
        // cost of sending its status again once (a repeat a dashboard takes as it is).
        if (this.lastSentStatus.size > (this.options.lastSentStatusMax ?? DEFAULT_MEMORY_BOUNDS.printerStatusMemory)) {
          for (const oldest of this.lastSentStatus.keys()) {
            this.lastSentStatus.delete(oldest);
            break;
          }
        }
        return true;
      });
      if (changes.length === 0) continue;
      this.toBranch(branchId, batch.companyId)?.emit('printerStatusUpdate', changes);
      this.options.onStatusBatch?.(changes.length);
      this.logger.info({ branchId, count: changes.length }, `Sent ${changes.length} batched status updates`);
    }
    this.pendingStatus.clear();
  }

  private toBranch(branchId: string, companyId: string) {
    const targets = [rooms.branch(branchId), rooms.company(companyId), rooms.superAdmin];
    if (!this.namespace || (this.options.localOnly && !this.anyMember(targets))) return undefined;
    return this.namespace.to(targets);
  }

  private anyMember(targets: string[]): boolean {
    const present = this.namespace?.adapter.rooms;
    return targets.some((room) => (present?.get(room)?.size ?? 0) > 0);
  }
}
