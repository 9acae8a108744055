import { checkPayload } from '@printermaster/protocol';
import type { Static, TSchema } from '@sinclair/typebox';
import { GatewayError } from '../core/gateway-error.js';

/**
 * Checks an untrusted payload against the input rules every payload keeps (no NUL or lone
 * surrogate in any string, bounded nesting: protocol input-rules.ts) and then its schema, with
 * the checker agents use too (protocol check-payload.ts); returns it typed, or throws
 * `BAD_REQUEST` naming the first offending field path.
 */
export function validatePayload<S extends TSchema>(schema: S, value: unknown, what: string): Static<S> {
  const checked = checkPayload(schema, value);
  if (checked.ok) return checked.value;
  const { path, message } = checked.problem;
  throw new GatewayError('BAD_REQUEST', { message: `${what} is invalid at ${path}: ${message}`, details: { path } });
}
