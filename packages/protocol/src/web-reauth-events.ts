import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { Ack } from './errors.js';

/**
 * `auth:expiring`, gateway → web client: the socket's token expires at `expiresAt` (ISO 8601), a
 * minute from now (half its remaining lifetime for shorter ones). Send `auth:refresh` with a new
 * token of the same user before then, or the socket gets `auth:expired` and is closed.
 */
export const AuthExpiringEventSchema = Type.Object({
  expiresAt: Type.String(),
});
export type AuthExpiringEvent = Static<typeof AuthExpiringEventSchema>;

/** `auth:refresh`, web client → gateway: a new access token (or API key) for the same user and scope. */
export const AuthRefreshRequestSchema = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 8192 }) },
  { additionalProperties: false },
);
export type AuthRefreshRequest = Static<typeof AuthRefreshRequestSchema>;

/** The acknowledgement's `data`: when the socket's credential now expires (ISO 8601; `null`: never). */
export const AuthRefreshReplySchema = Type.Object({ expiresAt: Type.Union([Type.String(), Type.Null()]) });
export type AuthRefreshReply = Static<typeof AuthRefreshReplySchema>;

/** Payload schemas of the re-authentication events web clients send. */
export const WEB_REAUTH_EVENT_SCHEMAS = {
  'auth:refresh': AuthRefreshRequestSchema,
} as const satisfies Record<string, TSchema>;

/**
 * Re-authentication of an open web socket (docs/credentials.md#open-sockets), part of
 * `WebToGatewayEvents`. Acknowledged `{ok: true, data}` or `{ok: false, error}`:
 * `AUTH_FAILED` for a token that is not valid, `FORBIDDEN` for one of another user or scope
 * (the socket then keeps its old token, and expires with it).
 */
export interface WebReauthEvents {
  'auth:refresh': (request: AuthRefreshRequest, ack?: Ack<AuthRefreshReply>) => void;
}
