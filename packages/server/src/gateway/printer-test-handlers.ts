import type { PrinterTestService } from '../core/printer-test-service.js';
import type { AgentEventHandlers } from './agent-event-router.js';

export interface PrinterTestHandlersDeps {
  printerTests: Pick<PrinterTestService, 'handleAck' | 'handleResult'>;
}

/**
 * The answers to a `printer:test`: its arrival and its result, matched to the waiting request by
 * the printer test service. A legacy client's result is told apart: its own report of success
 * cannot be trusted (docs/protocol.md#legacy-desktop-clients).
 */
export function printerTestHandlers(
  deps: PrinterTestHandlersDeps,
): Pick<AgentEventHandlers, 'printer:test:ack' | 'printer:test:result'> {
  return {
    'printer:test:ack': (s, p) => {
      deps.printerTests.handleAck(s.principal, p);
      return { received: true };
    },
    'printer:test:result': (s, p) => {
      deps.printerTests.handleResult(s.principal, p, s.agent.protocol === 'legacy');
      return { received: true };
    },
  };
}
