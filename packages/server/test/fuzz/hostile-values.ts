import fc from 'fast-check';
import { DEEP_MARKER } from '../support/deep-json.js';

/**
 * Generators of hostile input, biased towards the values that have broken the gateway or
 * that PostgreSQL refuses: NUL and lone surrogates, dates outside what PostgreSQL stores,
 * deep nesting, huge and odd numbers, ports past 65535, long strings, bad percent-encoding.
 */

const NASTY_TEXT = [
  '\u0000',
  'a\u0000b',
  '\u0000'.repeat(3),
  '\ud800',
  'x\udfff',
  '\udc00\ud800',
  '\u202e\u200b\ufeff',
  '🍕🧾',
  'e\u0301',
  '\uffff',
  '',
  ' ',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  '-271821-04-20',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '10000-01-01T00:00:00Z',
  '2026-02-30T25:61:00Z',
  'Infinity',
  'NaN',
  '1e309',
  'host:99999',
  'tcp://printer:65536',
  '127.0.0.1:0',
  '%00',
  '%E0%A4%A',
  '%',
  '%zz',
  '../..',
  '\\',
  "'; drop table printers; --",
  '$1',
  '{"a":1}',
  DEEP_MARKER,
];

/** A string, often one of the known nasty ones, often long or built around NUL and surrogates. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_TEXT) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 10 }), fc.constantFrom('\u0000', '\ud800', '\udc00'), fc.string({ maxLength: 10 }))
      .map(([a, b, c]) => a + b + c),
  },
  { weight: 1, arbitrary: fc.constantFrom(129, 300, 5_000, 70_000).map((n) => 'x'.repeat(n)) },
);

/** Numbers at and past every bound the gateway or PostgreSQL has. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      0,
      -1,
      0.5,
      -0,
      65_535,
      65_536,
      99_999,
      2 ** 31,
      -(2 ** 31) - 1,
      2 ** 53,
      -(2 ** 63),
      1e308,
      -1e308,
      Number.MIN_VALUE,
      8.64e15,
      -8.64e15,
      -62_135_596_800_001,
    ),
  },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
);

/** Any JSON-ish value made of hostile leaves, a few levels deep (the marker stands for 5,000). */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: hostileString },
    { weight: 2, arbitrary: hostileNumber },
    { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
    { weight: 2, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    { weight: 2, arbitrary: fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }) },
  ),
})).value;

/**
 * `base` with hostile values in it: usually every field kept and one replaced (so that the
 * payload gets past the schema and reaches the handlers and the store), sometimes fields
 * dropped, replaced and added at random.
 */
export function mutated(base: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(base);
  if (keys.length === 0) return fc.dictionary(hostileString, hostileJson, { maxKeys: 3 });
  const leaf = fc.oneof({ weight: 4, arbitrary: hostileString }, { weight: 1, arbitrary: hostileNumber }, hostileJson);
  const oneReplaced = fc
    .tuple(fc.constantFrom(...fieldPaths(base)), leaf)
    .map(([path, value]) => replacedAt(base, path, value));
  const scrambled = fc
    .tuple(
      fc.subarray(keys),
      fc.dictionary(fc.constantFrom(...keys), hostileJson, { maxKeys: 3 }),
      fc.dictionary(hostileString, hostileJson, { maxKeys: 2 }),
    )
    .map(([kept, replaced, added]) => {
      const out: Record<string, unknown> = {};
      for (const k of kept) out[k] = base[k];
      return { ...out, ...replaced, ...added };
    });
  return fc.oneof({ weight: 3, arbitrary: oneReplaced }, { weight: 1, arbitrary: scrambled });
}

/** Paths of every field of `value`, nested ones included (`['printerIds', '0', 'lastSeen']`). */
function fieldPaths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const own = Object.keys(value).flatMap((k) => fieldPaths((value as Record<string, unknown>)[k], [...prefix, k]));
  return prefix.length > 0 ? [prefix, ...own] : own;
}

/** A copy of `base` with the field at `path` set to `value`. */
function replacedAt(base: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(base);
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[path[path.length - 1] as string] = value;
  return copy;
}

/** A payload for a schema: usually `base` mutated, sometimes anything at all. */
export function payloadFor(base: Record<string, unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 6, arbitrary: mutated(base) }, { weight: 1, arbitrary: hostileJson });
}

/** A path segment: encoded hostile text, or raw bytes that are not valid percent-encoding. */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: hostileString.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\u0000'))) },
  { weight: 1, arbitrary: fc.constantFrom('%E0%A4%A', '%', '%zz', '%00', '%C0%80', 'x'.repeat(101), 'x'.repeat(300)) },
);

/**
 * Runs and seed of a property: fixed, so that CI runs the same cases every time.
 * PRINTERMASTER_FUZZ_SCALE multiplies the runs, PRINTERMASTER_FUZZ_SEED picks other cases.
 */
export function fuzzParameters(defaultRuns: number): { numRuns: number; seed: number } {
  const scale = Number(process.env.PRINTERMASTER_FUZZ_SCALE ?? '') || 1;
  const seed = Number(process.env.PRINTERMASTER_FUZZ_SEED ?? '') || 20_261_206;
  return { numRuns: Math.max(1, Math.round(defaultRuns * scale)), seed };
}
