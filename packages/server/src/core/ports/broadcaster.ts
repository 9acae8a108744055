import type {
  DesktopHealthAlertEvent,
  PrinterStatusEntry,
  PrinterTestCompletedEvent,
  PrinterUpdateEvent,
  PrintJobUpdateEvent,
} from '@printermaster/protocol';

/** Events for web clients, delivered to the rooms allowed to see them (docs/protocol.md#rooms). */
export interface Broadcaster {
  printerUpdated(event: PrinterUpdateEvent): void;
  /** Coalesced per branch by the implementation. */
  printerStatusChanged(entry: PrinterStatusEntry): void;
  printerTestCompleted(branchId: string, companyId: string, event: PrinterTestCompletedEvent): void;
  jobUpdated(event: PrintJobUpdateEvent): void;
  /** To the tenant's admins only. */
  healthAlert(companyId: string, event: DesktopHealthAlertEvent): void;
}
