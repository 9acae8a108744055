import { describe, expect, it } from 'vitest';
import {
  EARLIEST_INSTANT_MS,
  findInputProblem,
  instantMs,
  isInstantText,
  LATEST_INSTANT_MS,
  MAX_INPUT_DEPTH,
} from './input-rules.js';

function nested(levels: number): unknown {
  return JSON.parse(`${'{"a":'.repeat(levels - 1)}[]${'}'.repeat(levels - 1)}`);
}

describe('input rules', () => {
  it('accepts ordinary input, emoji and every other well-formed character included', () => {
    expect(
      findInputProblem({ name: 'Küche 🍕', items: [{ qty: 2, note: '\u202e\uFEFF\t' }], n: null }),
    ).toBeUndefined();
  });

  it('names the path of a string holding a NUL, in values and in field names', () => {
    expect(findInputProblem({ orderData: { items: ['ok', 'a\u0000b'] } })).toEqual({
      path: '/orderData/items/1',
      message: 'contains a NUL character (U+0000)',
    });
    expect(findInputProblem({ orderData: { 'x\u0000': 1 } })).toMatchObject({ path: '/orderData' });
    expect(findInputProblem('\u0000')).toMatchObject({ path: '' });
  });

  it('refuses lone surrogates but not surrogate pairs', () => {
    expect(findInputProblem({ a: '\ud800' })?.message).toContain('lone UTF-16 surrogate');
    expect(findInputProblem({ a: 'x\udc00' })?.message).toContain('lone UTF-16 surrogate');
    expect(findInputProblem({ a: '\ud83d\ude00' })).toBeUndefined();
  });

  it('escapes / and ~ in the path as JSON pointers do', () => {
    expect(findInputProblem({ 'a/b': { '~c': '\u0000' } })?.path).toBe('/a~1b/~0c');
  });

  it(`allows ${MAX_INPUT_DEPTH} levels of nesting and refuses one more`, () => {
    expect(findInputProblem(nested(MAX_INPUT_DEPTH))).toBeUndefined();
    expect(findInputProblem(nested(MAX_INPUT_DEPTH + 1))?.message).toContain('nests deeper');
  });

  it('walks a million levels without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    expect(findInputProblem(deep)?.message).toContain('nests deeper');
  });

  it('skips binary attachments', () => {
    expect(findInputProblem({ bytes: Buffer.from([0, 0, 0]) })).toBeUndefined();
  });

  it('reads date-times within years 1 to 9999 only', () => {
    expect(instantMs('2026-12-06T10:00:00Z')).toBe(Date.parse('2026-12-06T10:00:00Z'));
    expect(instantMs('0001-01-01T00:00:00.000Z')).toBe(EARLIEST_INSTANT_MS);
    expect(instantMs('9999-12-31T23:59:59.999Z')).toBe(LATEST_INSTANT_MS);
    expect(instantMs(Date.now())).toBeTypeOf('number');
    for (const bad of ['-271821-04-20', '+275760-09-13T00:00:00Z', '-000001-01-01T00:00:00Z', 'yesterday', '']) {
      expect(isInstantText(bad), bad).toBe(false);
    }
    for (const bad of [8.64e15, -8.64e15, EARLIEST_INSTANT_MS - 1, LATEST_INSTANT_MS + 1, Number.NaN]) {
      expect(instantMs(bad), String(bad)).toBeUndefined();
    }
  });
});
