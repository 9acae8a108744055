import type { Faults } from './faults.js';

/** A faults change that is not a valid `Partial<Faults>`; `message` names the offending key. */
export class InvalidFaultsError extends Error {
  override name = 'InvalidFaultsError';
}

type Check = (value: unknown) => string | undefined;

const boolean: Check = (value) => (typeof value === 'boolean' ? undefined : 'must be true or false');

const FIELD_CHECKS: Readonly<Record<keyof Faults, Check>> = {
  offline: boolean,
  paperOut: boolean,
  coverOpen: boolean,
  paperNearEnd: boolean,
  bytesPerSecond: (value) =>
    value === null || (typeof value === 'number' && Number.isFinite(value) && value > 0)
      ? undefined
      : 'must be a number greater than 0, or null',
  dropAfterBytes: (value) =>
    value === null || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)
      ? undefined
      : 'must be an integer of 0 or more, or null',
};

/**
 * Checks an untrusted faults change (a JSON body, a caller's object) and returns it typed.
 * Strict: the value must be a plain object, every key must be a fault name and every value of the
 * right type; `{}` is valid (no change). Throws {@link InvalidFaultsError} otherwise.
 */
export function parseFaultsPatch(input: unknown): Partial<Faults> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidFaultsError('faults must be a JSON object');
  }
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!Object.hasOwn(FIELD_CHECKS, key)) {
      throw new InvalidFaultsError(`unknown fault "${key}"; known: ${Object.keys(FIELD_CHECKS).join(', ')}`);
    }
    const problem = FIELD_CHECKS[key as keyof Faults](value);
    if (problem) throw new InvalidFaultsError(`${key} ${problem}`);
    patch[key] = value;
  }
  return patch as Partial<Faults>;
}
