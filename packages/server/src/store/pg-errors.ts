import { GatewayError } from '../core/gateway-error.js';

/** Whether `err` is a PostgreSQL error with SQLSTATE `code` (pg and PGlite both expose `code`). */
export function isPgError(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';

/** SQLSTATE classes and codes that mean "this value cannot be stored", not "the store is broken". */
const REFUSED_VALUE_CLASSES = ['22', '54'];
const CHECK_VIOLATION = '23514';

/**
 * The `BAD_REQUEST` a store error stands for when PostgreSQL refused a value it was given: a
 * data exception (class 22: NUL or invalid text, a date or number out of range …), a program
 * limit (class 54: JSON nested too deep for its parser) or a check constraint. The validation
 * layer refuses such input first (protocol input-rules.ts); this is the last line behind it,
 * so that a value it misses is still a 4xx and not an `INTERNAL`. `undefined` for other errors.
 */
export function refusedValueError(err: unknown): GatewayError | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code !== 'string' || code.length !== 5) return undefined;
  if (code !== CHECK_VIOLATION && !REFUSED_VALUE_CLASSES.includes(code.slice(0, 2))) return undefined;
  return new GatewayError('BAD_REQUEST', {
    message: `the database refused a value of this request (SQLSTATE ${code})`,
    details: { sqlState: code },
    cause: err,
  });
}
