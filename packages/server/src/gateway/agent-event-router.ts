import {
  type Ack,
  AGENT_EVENT_SCHEMAS,
  type AgentEventName,
  type AgentEventReply,
  type AgentToGatewayEvents,
} from '@printermaster/protocol';
import { GatewayError } from '../core/gateway-error.js';
import type { AgentSession, AgentSocket } from './gateway-sockets.js';
import { validatePayload } from './payload-validator.js';
import { rejectEvent } from './reject-event.js';

/** The payload of agent event `E`, as its event map (and so its schema) types it. */
export type AgentEventPayloadOf<E extends AgentEventName> = Parameters<AgentToGatewayEvents[E]>[0];

/**
 * Handles one agent event whose payload passed its schema. The value returned (or resolved)
 * is the acknowledgement's `data`; a throw (or rejection) rejects the event (`error:event`,
 * and `{ok: false}` to an agent that asked for an acknowledgement).
 */
export type AgentEventHandler<E extends AgentEventName> = (
  session: AgentSession,
  payload: AgentEventPayloadOf<E>,
) => AgentEventReply<E> | Promise<AgentEventReply<E>>;

/** One handler for every event of `AgentToGatewayEvents`: the compiler finds one missing. */
export type AgentEventHandlers = { [E in AgentEventName]: AgentEventHandler<E> };

type CheckedHandler = (session: AgentSession, raw: unknown) => unknown;

/**
 * Routes every event an agent sends: checked against the protocol's schema for it
 * (`AGENT_EVENT_SCHEMAS`), handled, and acknowledged; an unknown event or a payload out of
 * shape is rejected with `BAD_REQUEST`, and the socket stays open.
 *
 * One listener (`listener`, given to `socket.onAny`) serves every agent socket, and the handlers
 * are built once per gateway rather than as closures per socket: each connected agent then costs
 * one session object and a few listener slots (memory per idle agent, docs/benchmarks.md).
 */
export class AgentEventRouter {
  /** For `socket.onAny`; Socket.IO calls it with the agent's socket as `this`. */
  readonly listener: (this: AgentSocket, event: string, ...args: unknown[]) => void;
  private readonly handlers = new Map<string, CheckedHandler>();

  constructor(handlers: AgentEventHandlers) {
    const add = <E extends AgentEventName>(event: E) => this.handlers.set(event, checked(event, handlers[event]));
    for (const event of Object.keys(AGENT_EVENT_SCHEMAS) as AgentEventName[]) add(event);
    const router = this;
    this.listener = function (this: AgentSocket, event: string, ...args: unknown[]) {
      router.dispatch(this.data, event, args);
    };
  }

  /** One agent event: validated, handled, acknowledged (or rejected with `error:event`). */
  dispatch(session: AgentSession, event: string, args: unknown[]): void {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as Ack<unknown>) : undefined;
    const { socket, log } = session;
    const handler = this.handlers.get(event);
    if (!handler) {
      const err = new GatewayError('BAD_REQUEST', { message: `unknown event "${event}"` });
      rejectEvent({ socket, event, err, ack, log });
      return;
    }
    const raw = args.length > 0 && typeof args[0] !== 'function' ? args[0] : undefined;
    let result: unknown;
    try {
      result = handler(session, raw);
    } catch (err) {
      rejectEvent({ socket, event, err, ack, log });
      return;
    }
    // Most handlers answer synchronously (a result, a test reply, a status): no promise for those.
    if (!isThenable(result)) {
      ack?.({ ok: true, data: result ?? null });
      return;
    }
    result.then(
      (value) => ack?.({ ok: true, data: value ?? null }),
      (err: unknown) => rejectEvent({ socket, event, err, ack, log }),
    );
  }
}

/** `handler` behind the check of its event's payload schema. */
function checked<E extends AgentEventName>(event: E, handler: AgentEventHandler<E>): CheckedHandler {
  const schema = AGENT_EVENT_SCHEMAS[event];
  return (session, raw) => handler(session, validatePayload(schema, raw, event) as AgentEventPayloadOf<E>);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
