import { type Static, Type } from '@sinclair/typebox';

/** Licence keys are UUID v4 strings; legacy clients refuse other formats before calling the gateway. */
export const LICENSE_KEY_PATTERN =
  '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$';

/** Capabilities a v2 agent may announce in its handshake. */
export const AGENT_CAPABILITIES = ['print-jobs', 'printer-test', 'printer-status', 'health-report'] as const;

/**
 * `auth` of an agent's Socket.IO connection. Legacy clients send no
 * `protocolVersion`; v2 agents send `protocolVersion: 2` and `capabilities`.
 * Nothing here widens scope: the branch is checked against the licence.
 */
export const AgentAuthSchema = Type.Object({
  userRole: Type.Literal('desktop_app'),
  licenseKey: Type.String({ pattern: LICENSE_KEY_PATTERN }),
  branchId: Type.String({ minLength: 1, maxLength: 64 }),
  /** Stable per machine. */
  deviceId: Type.String({ minLength: 1, maxLength: 128 }),
  instanceId: Type.Optional(Type.String({ maxLength: 128 })),
  appVersion: Type.Optional(Type.String({ maxLength: 64 })),
  protocolVersion: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  capabilities: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 32 })),
});
export type AgentAuth = Static<typeof AgentAuthSchema>;

/** `auth` of a web client. `branchId`/`companyId` are hints only; the token decides. */
export const WebAuthSchema = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 8192 }),
  branchId: Type.Optional(Type.String({ maxLength: 64 })),
  companyId: Type.Optional(Type.String({ maxLength: 64 })),
  userRole: Type.Optional(Type.String({ maxLength: 64 })),
});
export type WebAuth = Static<typeof WebAuthSchema>;

/** Socket.IO namespace of the printing gateway. */
export const PRINTING_NAMESPACE = '/printing-ws';
