import { isoTime } from '@printermaster/protocol';
import type { Clock } from '../core/clock.js';
import { GatewayError } from '../core/gateway-error.js';
import type { AgentEventHandlers } from './agent-event-router.js';

export interface SessionHandlersDeps {
  clock: Clock;
}

/**
 * The agent's own session: the branch it joins (legacy clients send `join:branch` first) and the
 * state of its desktop application. Both answers are also emitted as events, for legacy clients,
 * which never ask for acknowledgements.
 */
export function sessionHandlers(deps: SessionHandlersDeps): Pick<AgentEventHandlers, 'join:branch' | 'desktop:status'> {
  const now = () => isoTime(deps.clock.now());
  return {
    'join:branch': (s, p) => {
      if (p.branchId !== s.agent.branchId) {
        throw new GatewayError('FORBIDDEN', { message: 'an agent may only join its licence’s branch' });
      }
      const reply = { branchId: s.agent.branchId, timestamp: now() };
      s.socket.emit('branch:joined', reply);
      return reply;
    },

    'desktop:status': (s, p) => {
      s.log.debug({ status: p.status, version: p.version }, 'desktop status');
      const reply = { status: 'received' as const, timestamp: now() };
      s.socket.emit('desktop:status:acknowledged', reply);
      // A client that is ready is asked for its printers' statuses at once.
      if (p.status === 'ready' || p.status === 'connected') {
        s.socket.emit('printer:status:request', {
          action: 'status_update',
          timestamp: now(),
          branchId: s.agent.branchId,
        });
      }
      return reply;
    },
  };
}
