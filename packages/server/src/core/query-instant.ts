import { instantMs } from '@printermaster/protocol';
import { GatewayError } from './gateway-error.js';

/**
 * A query parameter that names an instant (ISO 8601, years 1–9999), or undefined when absent.
 * Anything else is `BAD_REQUEST` naming the parameter (`querystring/<name>`).
 */
export function parseQueryInstant(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const ms = instantMs(value);
  if (ms === undefined) {
    throw new GatewayError('BAD_REQUEST', {
      message: `${name} is not a date-time between the years 1 and 9999`,
      details: { path: `querystring/${name}` },
    });
  }
  return new Date(ms);
}
