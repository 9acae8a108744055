import { JOB_STATES } from '@printermaster/protocol';
import { GatewayError } from './gateway-error.js';
import { AGENT_EVENT_TYPES, PRINTER_EVENT_TYPES } from './ports/outbox-event.js';

/** Every exact event type an endpoint may ask for, but `licence.<change>` (any lowercase word). */
const EXACT_TYPES: ReadonlySet<string> = new Set([
  ...JOB_STATES.map((s) => `job.${s}`),
  // A station's waiting job moved to another of its printers (station-failover.ts).
  'job.moved',
  ...AGENT_EVENT_TYPES,
  ...PRINTER_EVENT_TYPES,
]);

const WILDCARDS: ReadonlySet<string> = new Set(['*', 'job.*', 'agent.*', 'printer.*', 'licence.*']);
const LICENCE_CHANGE = /^licence\.[a-z][a-z_]{0,31}$/;

/**
 * Checks an endpoint's event filter: `*`, `job.*`, `job.<state>`, `job.moved`, `agent.*`, `agent.connected`,
 * `agent.disconnected`, `agent.health_alert`, `printer.*`, `printer.status_changed`, `licence.*`,
 * `licence.<change>`. Returns it without duplicates; `BAD_REQUEST` naming the first unknown one.
 * The sequencer matches the same three forms: the exact type, `*`, and `<prefix>.*`.
 */
export function checkEventPatterns(patterns: readonly string[]): string[] {
  if (patterns.length === 0) {
    throw new GatewayError('BAD_REQUEST', {
      message: 'events must name at least one event type',
      details: { path: '/events' },
    });
  }
  patterns.forEach((p, i) => {
    if (!WILDCARDS.has(p) && !EXACT_TYPES.has(p) && !LICENCE_CHANGE.test(p)) {
      throw new GatewayError('BAD_REQUEST', {
        message: `unknown event type "${p}" (see docs/webhooks.md for the list)`,
        details: { path: `/events/${i}` },
      });
    }
  });
  return [...new Set(patterns)];
}

/** Whether an event of `type` matches one of `patterns`, as the sequencer decides it. */
export function matchesEventPatterns(patterns: readonly string[], type: string): boolean {
  const prefix = `${type.split('.')[0]}.*`;
  return patterns.some((p) => p === '*' || p === type || p === prefix);
}
