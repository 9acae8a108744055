import { findInputProblem, INSTANT_FORMAT, isInstantText } from '@printermaster/protocol';
import { FormatRegistry, type Static, type TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { GatewayError } from '../core/gateway-error.js';

const cache = new WeakMap<TSchema, TypeCheck<TSchema>>();

if (!FormatRegistry.Has(INSTANT_FORMAT)) FormatRegistry.Set(INSTANT_FORMAT, isInstantText);

/**
 * Checks an untrusted payload against the input rules every payload keeps (no NUL or lone
 * surrogate in any string, bounded nesting: protocol input-rules.ts) and then its schema;
 * returns it typed, or throws `BAD_REQUEST` naming the first offending field path.
 */
export function validatePayload<S extends TSchema>(schema: S, value: unknown, what: string): Static<S> {
  const problem = findInputProblem(value);
  if (problem) {
    const path = problem.path || '/';
    throw new GatewayError('BAD_REQUEST', {
      message: `${what} is invalid at ${path}: ${problem.message}`,
      details: { path },
    });
  }
  let check = cache.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    cache.set(schema, check);
  }
  if (check.Check(value)) return value as Static<S>;
  const first = check.Errors(value).First();
  const path = first?.path || '/';
  throw new GatewayError('BAD_REQUEST', {
    message: `${what} is invalid at ${path}: ${first?.message ?? 'unexpected value'}`,
    details: { path },
  });
}
