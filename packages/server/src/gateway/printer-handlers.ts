import { isoTime } from '@printermaster/protocol';
import type { Clock } from '../core/clock.js';
import type { CoreEvents } from '../core/core-events.js';
import { GatewayError } from '../core/gateway-error.js';
import { fromDiscovered, type PrinterService } from '../core/printer-service.js';
import { agentErrorText } from './agent-error-text.js';
import type { AgentEventHandlers } from './agent-event-router.js';

export interface PrinterHandlersDeps {
  printers: Pick<PrinterService, 'upsertReported' | 'announce' | 'recordStatuses'>;
  /** `statusReported` answers the canaries waiting for these printers. */
  events: Pick<CoreEvents, 'emit'>;
  clock: Clock;
}

type PrinterEvents =
  | 'printer:discovered'
  | 'printer:status:update'
  | 'printer:sync:success'
  | 'printer:sync:batch-completed'
  | 'printer:sync:error';

/**
 * The printers an agent reaches: discoveries (upserted, and announced to the branch's web
 * clients), status reports, and the legacy client's REST sync cycle, which is only logged.
 */
export function printerHandlers(deps: PrinterHandlersDeps): Pick<AgentEventHandlers, PrinterEvents> {
  const { printers, clock } = deps;
  return {
    'printer:discovered': async (s, p) => {
      try {
        const { printer, created } = await printers.upsertReported(s.principal, fromDiscovered(p));
        printers.announce(printer, created ? 'discovered' : 'updated');
        const reply = { printerId: printer.id, status: 'saved' as const, timestamp: isoTime(clock.now()) };
        s.socket.emit('printer:discovery:acknowledged', reply);
        return reply;
      } catch (err) {
        const e = GatewayError.from(err);
        s.socket.emit('printer:discovery:error', { printerId: p.id ?? null, error: e.message, code: e.code });
        throw err;
      }
    },

    'printer:status:update': async (s, p) => {
      const seen = new Date(clock.now());
      const updates = p.printerIds.map((e) => ({
        id: e.id,
        status: e.status,
        reason: e.reason ?? null,
        seenAt: toDate(e.lastSeen) ?? seen,
      }));
      deps.events.emit('statusReported', s.agent, updates);
      await printers.recordStatuses(s.principal, updates);
      const reply = { printerCount: updates.length, branchId: s.agent.branchId, timestamp: isoTime(clock.now()) };
      s.socket.emit('printer:status:acknowledged', reply);
      return reply;
    },

    'printer:sync:success': () => ({ received: true }),
    'printer:sync:batch-completed': (s, p) => {
      s.log.debug({ results: p.results }, 'legacy printer sync completed');
      return { received: true };
    },
    'printer:sync:error': (s, p) => {
      s.log.warn({ error: agentErrorText(p.error) }, 'legacy printer sync reported an error');
      return { received: true };
    },
  };
}

/** An agent's time (ISO 8601 or Unix ms, already within years 1–9999 by its schema). */
function toDate(value: string | number | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
