import type { Ack, SocketErrorEvent } from '@printermaster/protocol';
import { GatewayError } from '../core/gateway-error.js';
import type { Logger } from '../core/ports/logger.js';

/** What a rejection needs of a socket: agents and web clients are both sent `error:event`. */
export interface ErrorEventTarget {
  emit(event: 'error:event', error: SocketErrorEvent): boolean;
}

export interface EventRejection {
  socket: ErrorEventTarget;
  /** The name of the event rejected. */
  event: string;
  err: unknown;
  /** The sender's acknowledgement callback, when it asked for one. */
  ack: Ack<unknown> | undefined;
  log: Logger;
}

/**
 * Rejects one event a client sent, without closing its socket: `error:event` with the error's
 * code and the event's name, and an `{ok: false}` acknowledgement when the sender asked for
 * one. An `INTERNAL` error is the gateway's own fault and logged as such.
 */
export function rejectEvent({ socket, event, err, ack, log }: EventRejection): void {
  const e = GatewayError.from(err);
  if (e.code === 'INTERNAL') log.error({ err, event }, 'event handler failed');
  else log.warn({ event, code: e.code, message: e.message }, 'event rejected');
  socket.emit('error:event', { ...e.toWire(), event });
  ack?.({ ok: false, error: e.toWire() });
}
