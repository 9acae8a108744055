import type { Static, TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { GatewayError } from '../core/gateway-error.js';

const cache = new WeakMap<TSchema, TypeCheck<TSchema>>();

/**
 * Checks an untrusted payload against its schema; returns it typed, or throws
 * `BAD_REQUEST` naming the first offending field path.
 */
export function validatePayload<S extends TSchema>(schema: S, value: unknown, what: string): Static<S> {
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
