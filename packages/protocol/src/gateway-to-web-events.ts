import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { ConnectionQualitySchema, PrinterStatusReasonSchema, PrinterStatusSchema } from './agent-events.js';
import { type SocketErrorEvent, SocketErrorEventSchema, WireErrorSchema } from './errors.js';
import { JobStateSchema, PrintJobViewSchema } from './print-job.js';
import { PrinterViewSchema } from './printer-view.js';
import type { WebReauthEvents } from './web-reauth-events.js';
import { type AuthExpiringEvent, AuthExpiringEventSchema } from './web-reauth-events.js';
import type { WebRoomEvents } from './web-to-gateway-events.js';

/** `printerUpdate`: a printer of the branch was found, changed, created or deleted. */
export const PrinterUpdateEventSchema = Type.Object({
  action: Type.Union(
    (['discovered', 'updated', 'status_updated', 'created', 'deleted'] as const).map((a) => Type.Literal(a)),
  ),
  printer: PrinterViewSchema,
  branchId: Type.String(),
  companyId: Type.String(),
  /** ISO 8601. */
  timestamp: Type.String(),
});
export type PrinterUpdateEvent = Static<typeof PrinterUpdateEventSchema>;

/** One entry of `printerStatusUpdate` (an array, coalesced per branch over 100 ms, repeats dropped). */
export const PrinterStatusEntrySchema = Type.Object({
  printerId: Type.String(),
  name: Type.Optional(Type.String()),
  status: PrinterStatusSchema,
  /** Why (see `PRINTER_STATUS_REASONS`); absent for a ready printer. */
  reason: Type.Optional(PrinterStatusReasonSchema),
  branchId: Type.String(),
  companyId: Type.String(),
  /** ISO 8601 time the agent saw this status. */
  lastSeen: Type.String(),
});
export type PrinterStatusEntry = Static<typeof PrinterStatusEntrySchema>;

/** `printer:test:completed`: how a printer test ended (also a legacy client's late result). */
export const PrinterTestCompletedEventSchema = Type.Object({
  printerId: Type.String(),
  /** The test's correlation ID; empty for a legacy result no test was waiting for. */
  correlationId: Type.String(),
  success: Type.Boolean(),
  error: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  /** ISO 8601, as the agent sent it. */
  timestamp: Type.String(),
  /** Milliseconds the agent spent. */
  processingTime: Type.Optional(Type.Number()),
  /** ISO 8601 time the gateway received the result. */
  receivedAt: Type.String(),
  /** `v2_agent` or `legacy_client`. */
  sourceClient: Type.String(),
  /** For legacy clients: `unconfirmed` when the client's own report cannot be trusted (docs/protocol.md#legacy-desktop-clients). */
  outcome: Type.Optional(Type.Union([Type.Literal('printed'), Type.Literal('failed'), Type.Literal('unconfirmed')])),
});
export type PrinterTestCompletedEvent = Static<typeof PrinterTestCompletedEventSchema>;

/** `desktop:health:alert`, to the tenant's admins only. */
export const DesktopHealthAlertEventSchema = Type.Object({
  severity: Type.Union((['critical', 'high', 'medium', 'low'] as const).map((s) => Type.Literal(s))),
  /** `journal_damaged`: the agent found its journal damaged at start-up (`reason` says what it did). */
  type: Type.Union(
    (['poor_connection_quality', 'high_latency', 'connection_degraded', 'recovered', 'journal_damaged'] as const).map(
      (t) => Type.Literal(t),
    ),
  ),
  deviceId: Type.Optional(Type.String()),
  branchId: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  metrics: Type.Optional(
    Type.Object({
      /** Milliseconds. */
      averageLatency: Type.Optional(Type.Number()),
      /** Percent, 0–100. */
      packetLossRate: Type.Optional(Type.Number()),
      connectionQuality: Type.Optional(ConnectionQualitySchema),
    }),
  ),
  /** ISO 8601. */
  timestamp: Type.String(),
});
export type DesktopHealthAlertEvent = Static<typeof DesktopHealthAlertEventSchema>;

/** `printJobUpdate` to the branch's web clients on every state change. */
export const PrintJobUpdateEventSchema = Type.Object({
  action: Type.Union([Type.Literal('created'), Type.Literal('state_changed')]),
  job: PrintJobViewSchema,
  /** The state before; absent for `created`. */
  fromState: Type.Optional(JobStateSchema),
  branchId: Type.String(),
  companyId: Type.String(),
  /** ISO 8601. */
  timestamp: Type.String(),
});
export type PrintJobUpdateEvent = Static<typeof PrintJobUpdateEventSchema>;

/** `auth:expired`: the web socket's token expired; the gateway disconnects it right after. */
export const AuthExpiredEventSchema = Type.Object({
  code: WireErrorSchema.properties.code,
  message: Type.String(),
});
export type AuthExpiredEvent = Static<typeof AuthExpiredEventSchema>;

/** Every event the gateway emits to web clients, with its payload schema. */
export const GATEWAY_TO_WEB_EVENT_SCHEMAS = {
  printerUpdate: PrinterUpdateEventSchema,
  printerStatusUpdate: Type.Array(PrinterStatusEntrySchema),
  'printer:test:completed': PrinterTestCompletedEventSchema,
  'desktop:health:alert': DesktopHealthAlertEventSchema,
  printJobUpdate: PrintJobUpdateEventSchema,
  'auth:expiring': AuthExpiringEventSchema,
  'auth:expired': AuthExpiredEventSchema,
  'error:event': SocketErrorEventSchema,
} as const satisfies Record<string, TSchema>;

/**
 * Socket.IO events from the gateway to web clients (docs/protocol.md#events-to-web-clients), sent to the rooms
 * of the client's scope: the gateway's `EmitEvents` towards web clients, a dashboard's
 * `ListenEvents`. Payload schemas: `GATEWAY_TO_WEB_EVENT_SCHEMAS`.
 */
export interface GatewayToWebEvents {
  /** A printer of the branch was found, changed, created or deleted. */
  printerUpdate: (event: PrinterUpdateEvent) => void;
  /** Status changes of a branch's printers, coalesced over 100 ms; identical consecutive statuses dropped. */
  printerStatusUpdate: (statuses: PrinterStatusEntry[]) => void;
  'printer:test:completed': (event: PrinterTestCompletedEvent) => void;
  /** To admin rooms only. */
  'desktop:health:alert': (alert: DesktopHealthAlertEvent) => void;
  printJobUpdate: (event: PrintJobUpdateEvent) => void;
  /** The token expires soon: send `auth:refresh` with a new one (web-reauth-events.ts). */
  'auth:expiring': (notice: AuthExpiringEvent) => void;
  /** The token expired (or its session or key was revoked); the socket is disconnected next. Connect again with a fresh token. */
  'auth:expired': (notice: AuthExpiredEvent) => void;
  /** An event the client sent was rejected (web clients send none). */
  'error:event': (error: SocketErrorEvent) => void;
}

/**
 * Events web clients send: room subscriptions (web-to-gateway-events.ts) and re-authentication
 * (web-reauth-events.ts). Dashboards otherwise use
 * the REST API; anything else emitted on the socket is answered with `error:event` `BAD_REQUEST`
 * (and an error acknowledgement if asked for).
 */
export type WebToGatewayEvents = WebRoomEvents & WebReauthEvents;
