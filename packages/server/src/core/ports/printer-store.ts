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

/** Fields a create or update may set; `undefined` leaves a field as it is. */
export type PrinterFields = Partial<Omit<Printer, 'id' | 'companyId' | 'branchId' | 'createdAt' | 'updatedAt'>>;

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
  /** How many printers have each stored status and reason (`null`: none), across all tenants. */
  countByStatus(): Promise<{ status: string; reason: string | null; count: number }[]>;
}
