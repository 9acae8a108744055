import { type Static, Type } from '@sinclair/typebox';
import { PrinterStatusSchema } from './agent-events.js';
import { PrinterProfileSchema } from './printer-profile.js';

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
  /** Why the status is what it is, when the gateway knows better than the last report: `agent_disconnected`. */
  statusReason: Type.Optional(Type.Literal('agent_disconnected')),
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
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type PrinterView = Static<typeof PrinterViewSchema>;
