/**
 * Rules every input obeys, whatever its schema: REST bodies, query strings and path
 * parameters, and socket handshakes and events. They keep out what PostgreSQL (and so
 * both stores) refuses or cannot hold, so that such input is a `BAD_REQUEST` naming the
 * field instead of a failure deep in the store:
 *
 * - strings, object keys included, contain no NUL (U+0000) and no lone UTF-16 surrogate
 *   (`text` and `jsonb` cannot hold either);
 * - objects and arrays nest at most `MAX_INPUT_DEPTH` levels deep;
 * - dates and times (`format: 'instant'`) lie between `EARLIEST_INSTANT_MS` and `LATEST_INSTANT_MS`.
 */

/** Deepest nesting of objects and arrays in one input; the input itself is level 1. */
export const MAX_INPUT_DEPTH = 32;

/** 0001-01-01T00:00:00.000Z, the earliest date-time accepted anywhere, as Unix ms. */
export const EARLIEST_INSTANT_MS = -62_135_596_800_000;

/** 9999-12-31T23:59:59.999Z, the latest date-time accepted anywhere, as Unix ms. */
export const LATEST_INSTANT_MS = 253_402_300_799_999;

/**
 * Schema format of a date-time given as text: anything `Date.parse` reads (ISO 8601
 * recommended) that lies within the accepted range. Both of the gateway's validators
 * (Ajv for REST, TypeBox for sockets) register it under this name.
 */
export const INSTANT_FORMAT = 'instant';

/** The Unix ms of a date-time given as text or as Unix ms, or `undefined` if unreadable or out of range. */
export function instantMs(value: string | number): number | undefined {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) && ms >= EARLIEST_INSTANT_MS && ms <= LATEST_INSTANT_MS ? ms : undefined;
}

/** Whether `value` is a date-time text within the accepted range (the `instant` format). */
export function isInstantText(value: string): boolean {
  return instantMs(value) !== undefined;
}

/** What is wrong with an input, and where: a JSON pointer from the input's root (`/orderData/note`). */
export interface InputProblem {
  path: string;
  message: string;
}

// A NUL, a high surrogate not followed by a low one, or a low one not preceded by a high one.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point.
const UNSTORABLE_CHAR = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

interface Pending {
  value: unknown;
  depth: number;
  parent: Pending | undefined;
  key: string;
}

/**
 * The first place where `value` breaks a rule above, or `undefined` when it keeps them all.
 * Walks without recursion, so a hostile input nested a million levels deep costs a loop,
 * not the stack.
 */
export function findInputProblem(value: unknown, maxDepth = MAX_INPUT_DEPTH): InputProblem | undefined {
  const stack: Pending[] = [{ value, depth: 0, parent: undefined, key: '' }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const v = item.value;
    if (typeof v === 'string') {
      if (UNSTORABLE_CHAR.test(v)) return { path: pathOf(item), message: `contains ${unstorable(v)}` };
      continue;
    }
    // Binary attachments (socket events) are bytes, not text: nothing in them reaches a text column.
    if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) continue;
    const depth = item.depth + 1;
    if (depth > maxDepth) {
      return { path: pathOf(item), message: `nests deeper than ${maxDepth} levels of objects and arrays` };
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], depth, parent: item, key: String(i) });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string;
      if (UNSTORABLE_CHAR.test(key)) {
        return { path: pathOf(item), message: `has a field name containing ${unstorable(key)}` };
      }
      stack.push({ value: (v as Record<string, unknown>)[key], depth, parent: item, key });
    }
  }
  return undefined;
}

function unstorable(text: string): string {
  return text.includes('\u0000') ? 'a NUL character (U+0000)' : 'a lone UTF-16 surrogate (not valid Unicode)';
}

function pathOf(item: Pending): string {
  const keys: string[] = [];
  for (let at: Pending | undefined = item; at?.parent !== undefined; at = at.parent) {
    keys.push(at.key.replaceAll('~', '~0').replaceAll('/', '~1'));
  }
  return keys.length === 0 ? '' : `/${keys.reverse().join('/')}`;
}
