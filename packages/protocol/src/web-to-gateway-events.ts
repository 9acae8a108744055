import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { Ack } from './errors.js';
import { WEB_REAUTH_EVENT_SCHEMAS } from './web-reauth-events.js';

/** `subscribe` / `unsubscribe`: the branch whose room the socket joins or leaves. */
export const BranchRoomRequestSchema = Type.Object(
  { branchId: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
export type BranchRoomRequest = Static<typeof BranchRoomRequestSchema>;

/** The acknowledgement's `data`: the branch, and whether the socket is now in its room. */
export const BranchRoomReplySchema = Type.Object({
  branchId: Type.String(),
  subscribed: Type.Boolean(),
});
export type BranchRoomReply = Static<typeof BranchRoomReplySchema>;

/** Payload schemas of the events web clients may send (docs/events.md#live-socket-subscriptions). */
export const WEB_TO_GATEWAY_EVENT_SCHEMAS = {
  subscribe: BranchRoomRequestSchema,
  unsubscribe: BranchRoomRequestSchema,
  // Re-authentication of the socket (docs/credentials.md#open-sockets).
  ...WEB_REAUTH_EVENT_SCHEMAS,
} as const satisfies Record<string, TSchema>;

/**
 * Events a dashboard may send on `/printing-ws`. Each is acknowledged `{ok: true, data}` or
 * `{ok: false, error}`; a refused one is also answered with `error:event`. Anything else a web
 * client emits is refused with `BAD_REQUEST` (the REST API is where dashboards act).
 */
export interface WebRoomEvents {
  /**
   * Joins the room of a branch the token may see (its printers' and jobs' live updates); a branch
   * outside the token's scope, or unknown, is `FORBIDDEN`. Idempotent.
   */
  subscribe: (request: BranchRoomRequest, ack?: Ack<BranchRoomReply>) => void;
  /** Leaves the room of a branch the token may see (`FORBIDDEN` otherwise). Idempotent. */
  unsubscribe: (request: BranchRoomRequest, ack?: Ack<BranchRoomReply>) => void;
}
