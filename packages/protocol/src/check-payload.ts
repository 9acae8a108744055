import { FormatRegistry, type Static, type TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { findInputProblem, INSTANT_FORMAT, type InputProblem, isInstantText } from './input-rules.js';

// RFC 3339 date-time, as JSON Schema's `date-time` (the views' times): a date, `T`, a time, a zone.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

if (!FormatRegistry.Has(INSTANT_FORMAT)) FormatRegistry.Set(INSTANT_FORMAT, isInstantText);
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (value) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)));
}

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

/**
 * The outcome of checking an untrusted payload: the payload, typed, or the first problem
 * found. `problem.path` is a JSON pointer from the payload's root, `/` for the payload itself.
 */
export type PayloadCheck<T> = { ok: true; value: T } | { ok: false; problem: InputProblem };

/**
 * Checks an untrusted payload (a socket event, an acknowledgement, a handshake) against the
 * input rules every input keeps (input-rules.ts: no NUL or lone surrogate, bounded nesting,
 * dates within years 1–9999), then against `schema`. Both ends of the wire use it, so they
 * agree on what is valid. Compiled checks are cached per schema object: build schemas once.
 */
export function checkPayload<S extends TSchema>(schema: S, value: unknown): PayloadCheck<Static<S>> {
  const problem = findInputProblem(value);
  if (problem) return { ok: false, problem: { path: problem.path || '/', message: problem.message } };
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  if (check.Check(value)) return { ok: true, value: value as Static<S> };
  const first = check.Errors(value).First();
  return { ok: false, problem: { path: first?.path || '/', message: first?.message ?? 'unexpected value' } };
}
