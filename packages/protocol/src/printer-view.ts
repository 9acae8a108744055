import { type Static, Type } from '@sinclair/typebox';
import { PrinterStatusReasonSchema, PrinterStatusSchema } from './agent-events.js';
import { PrinterProfileSchema } from './printer-profile.js';

/**
 * The last end-to-end canary of a printer: a paperless status probe sent by the gateway to the
 * printer's agent, which asks the printer itself (DLE EOT, or the spooler's state) and answers.
 */
export const PrinterCanarySchema = Type.Object({
  /** ISO 8601: when the probe ended. */
  at: Type.String(),
  /** The agent answered in time and the printer said it is ready (online or busy). */
  ok: Type.Boolean(),
  /** Seconds from the probe to the answer; absent when none came. */
  seconds: Type.Optional(Type.Number()),
  /** Why it failed: the printer's status reason (`paper_out`…) or status, or `no_answer`. */
  reason: Type.Optional(Type.String()),
});
export type PrinterCanary = Static<typeof PrinterCanarySchema>;

/** A printer as the REST API and web clients see it. Times are ISO 8601. */
export const PrinterViewSchema = Type.Object({
  id: Type.String(),
  companyId: Type.String(),
  branchId: Type.String(),
  name: Type.String(),
  type: Type.String(),
  connection: Type.String(),
  /** As last reported; `offline` when no connected agent can reach the printer (see `statusReason`). */
  status: PrinterStatusSchema,
  /**
   * Why the status is what it is: the agent's last reason (`paper_out`, `cover_open`, `paper_near_end`…),
   * or `agent_disconnected` when no connected agent can reach the printer. Absent for a ready printer.
   */
  statusReason: Type.Optional(PrinterStatusReasonSchema),
  ip: Type.Optional(Type.String()),
  port: Type.Optional(Type.Integer()),
  manufacturer: Type.Optional(Type.String()),
  model: Type.Optional(Type.String()),
  location: Type.Optional(Type.String()),
  /** Paper width in millimetres. */
  paperWidth: Type.Optional(Type.Number()),
  assignedTo: Type.Optional(Type.String()),
  isDefault: Type.Boolean(),
  capabilities: Type.Array(Type.String()),
  /** What tickets for it are encoded for: the printer's own profile, or the default for its paper width. */
  profile: Type.Optional(PrinterProfileSchema),
  discoveredBy: Type.Optional(Type.String()),
  discoveryMethod: Type.Optional(Type.String()),
  deviceId: Type.Optional(Type.String()),
  lastSeen: Type.Optional(Type.String()),
  /** The last canary (absent before the first, or with canaries off). */
  canary: Type.Optional(PrinterCanarySchema),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type PrinterView = Static<typeof PrinterViewSchema>;

/** A printer's last paper check (`GET /printing/printers/:id/paper-check`; docs/operations.md#paper-checks). */
export interface PaperCheckView {
  printerId: string;
  branchId: string;
  /** The print job of the slip. */
  jobId: string;
  /** ISO 8601: when the slip was sent to print. */
  printedAt: string;
  /** ISO 8601: when a person scanned it; null until then. */
  confirmedAt: string | null;
  /** `user:<id>` of who scanned it; null until then. */
  confirmedBy: string | null;
}

/** One change of a printer's status (`GET /printing/printers/:id/status-history`, newest first). */
export interface PrinterStatusChangeView {
  /** ISO 8601: when the gateway recorded the change. */
  at: string;
  status: string;
  previousStatus: string | null;
  /** Why (`paper_out`, `cover_open`…); null for a ready printer or an agent that said nothing more. */
  reason: string | null;
}
