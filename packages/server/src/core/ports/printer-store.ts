import type { PrinterProfile, PrinterStatus, PrinterStatusReason } from '@printermaster/protocol';

export interface Printer {
  id: string;
  companyId: string;
  branchId: string;
  name: string;
  type: string;
  connection: string;
  status: PrinterStatus;
  /** Why, as the reporting agent said (`paper_out`…); `null` when it said nothing more. */
  statusReason: PrinterStatusReason | null;
  ip: string | null;
  port: number | null;
  systemName: string | null;
  manufacturer: string | null;
  model: string | null;
  location: string | null;
  paperWidth: number | null;
  assignedTo: string | null;
  isDefault: boolean;
  capabilities: string[];
  /** What the printer can print; `null`: the default profile for its paper width (`printerProfileOf`). */
  profile: PrinterProfile | null;
  discoveredBy: string | null;
  discoveryMethod: string | null;
  /** The agent that last reported the printer. */
  deviceId: string | null;
  lastSeenAt: Date | null;
  /** The last end-to-end canary (core/printer-canary.ts); `null` before the first. */
  canary: Omit<CanaryResult, 'printerId'> | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One printer's status as an agent reported it, and when the agent saw it. */
export interface StatusReport {
  id: string;
  status: PrinterStatus;
  /** `null` (or absent): the agent said nothing more than the status. */
  reason?: PrinterStatusReason | null;
  seenAt: Date;
}

/** One canary of one printer: a status probe through its agent to the printer and back. */
export interface CanaryResult {
  printerId: string;
  /** When the probe ended. */
  at: Date;
  /** The agent answered in time and the printer said it is ready. */
  ok: boolean;
  /** ms from the request to the answer; `null` when none came. */
  ms: number | null;
  /** Why it failed (the printer's status reason or status, or `no_answer`); `null` when it did not. */
  reason: string | null;
}

/** Fields a create or update may set; `undefined` leaves a field as it is. */
export type PrinterFields = Partial<
  Omit<Printer, 'id' | 'companyId' | 'branchId' | 'canary' | 'createdAt' | 'updatedAt'>
>;

export interface PrinterStore {
  /** Throws `CONFLICT` when the branch already has a printer of that name. */
  insert(printer: { id: string; companyId: string; branchId: string; name: string } & PrinterFields): Promise<Printer>;
  /** Returns the updated printer, `undefined` if it does not exist. Throws `CONFLICT` on a name clash. */
  update(id: string, fields: PrinterFields): Promise<Printer | undefined>;
  find(id: string): Promise<Printer | undefined>;
  findByName(branchId: string, name: string): Promise<Printer | undefined>;
  list(filter: { companyId?: string; branchId?: string; status?: PrinterStatus }): Promise<Printer[]>;
  countInBranch(branchId: string): Promise<number>;
  delete(id: string): Promise<boolean>;
  /**
   * Records statuses reported by an agent; ids not in `branchId` are ignored.
   * Returns one entry per change, in report order, each with the status and `lastSeenAt`
   * of that report; a report repeating the status before it is no change. Reports of other
   * callers written together do not hide a change: `error` then `online` is two changes.
   */
  updateStatuses(branchId: string, updates: readonly StatusReport[]): Promise<Printer[]>;
  /** The printer's last `limit` status changes, newest first (its `printer.status_changed` events). */
  statusHistory(
    printerId: string,
    limit: number,
  ): Promise<{ at: Date; status: string; previousStatus: string | null; reason: string | null }[]>;
  /** Stores each printer's last canary; the printer's `updatedAt` stays. Unknown ids are ignored. */
  recordCanaries(results: readonly CanaryResult[]): Promise<void>;
  /** How many printers have each stored status and reason (`null`: none), across all tenants. */
  countByStatus(): Promise<{ status: string; reason: string | null; count: number }[]>;
}
