import { Type } from '@sinclair/typebox';
import type { EnvSetting, SettingGroup } from './env-setting.js';

/** What every kind of setting is given. */
interface CommonSpec<T> {
  name: string;
  group: SettingGroup;
  description: string;
  defaultText?: string;
  secret?: boolean;
  production?: EnvSetting<T>['production'];
}

/** `NAME must … (got "text")`, without the text when the setting holds a credential. */
function problem(name: string, rule: string, text: string, secret: boolean): string {
  return secret ? `${name} ${rule}` : `${name} ${rule} (got "${text}")`;
}

/**
 * A whole number. The text is read with `Number()`, as the gateway always has (so `1e3` is
 * 1000); anything that is not a whole number within `min`..`max` is refused.
 */
export function integer<D extends number | undefined>(
  spec: CommonSpec<number> & { default: D; min: number; max?: number; unit?: string },
): EnvSetting<number, D> {
  const rule =
    spec.max === undefined
      ? `must be a whole number of at least ${spec.min}`
      : `must be a whole number from ${spec.min} to ${spec.max}`;
  return {
    ...spec,
    schema: Type.Integer({ minimum: spec.min, ...(spec.max === undefined ? {} : { maximum: spec.max }) }),
    decode: (text) => Number(text),
    type: spec.unit ? `integer, ${spec.unit}` : 'integer',
    bounds: spec.max === undefined ? `${spec.min} or more` : `${spec.min} to ${spec.max}`,
    explain: (text) => [problem(spec.name, rule, text, spec.secret ?? false)],
    secret: spec.secret ?? false,
  };
}

const TRUE_TEXT = /^(1|true|yes|on)$/i;
const FALSE_TEXT = /^(0|false|no|off)$/i;

/** On or off: `1`, `true`, `yes`, `on` and `0`, `false`, `no`, `off`, in any case. */
export function flag<D extends boolean | undefined>(
  spec: CommonSpec<boolean> & { default: D },
): EnvSetting<boolean, D> {
  return {
    ...spec,
    schema: Type.Boolean(),
    decode: (text) => (TRUE_TEXT.test(text) ? true : FALSE_TEXT.test(text) ? false : text),
    type: 'boolean',
    bounds: 'true/false, 1/0, yes/no, on/off',
    explain: (text) => [problem(spec.name, 'must be true or false', text, spec.secret ?? false)],
    secret: spec.secret ?? false,
  };
}

/**
 * Free text, optionally held to a `pattern` (whole value) and a `minLength`; `rule` completes
 * "NAME …" when it is refused, `bounds` describes the accepted values in the reference.
 */
export function text<D extends string | undefined>(
  spec: CommonSpec<string> & {
    default: D;
    type?: string;
    pattern?: RegExp;
    minLength?: number;
    rule?: string;
    bounds?: string;
    refuse?: (value: string) => string | undefined;
  },
): EnvSetting<string, D> {
  const rule = spec.rule ?? 'is not accepted';
  return {
    ...spec,
    schema: Type.String({
      ...(spec.pattern ? { pattern: spec.pattern.source } : {}),
      ...(spec.minLength === undefined ? {} : { minLength: spec.minLength }),
    }),
    decode: (value) => value,
    type: spec.type ?? 'text',
    bounds: spec.bounds ?? '',
    explain: (value) => [problem(spec.name, rule, value, spec.secret ?? false)],
    secret: spec.secret ?? false,
  };
}

/** One of a fixed set of words. */
export function oneOf<V extends string, D extends V | undefined>(
  spec: CommonSpec<V> & { values: readonly V[]; default: D },
): EnvSetting<V, D> {
  const listed = spec.values.join(', ');
  return {
    ...spec,
    schema: Type.Union(spec.values.map((v) => Type.Literal(v))),
    decode: (value) => value,
    type: 'one of',
    bounds: listed,
    explain: (value) => [problem(spec.name, `must be one of ${listed}`, value, spec.secret ?? false)],
    secret: spec.secret ?? false,
  };
}

/** Comma-separated entries (blank ones dropped), each held to `item.pattern`. */
export function list<D extends string[] | undefined>(
  spec: CommonSpec<string[]> & { default: D; item: { pattern: RegExp; rule: string }; bounds: string },
): EnvSetting<string[], D> {
  const entries = (value: string): string[] =>
    value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  return {
    ...spec,
    schema: Type.Array(Type.String({ pattern: spec.item.pattern.source })),
    decode: entries,
    type: 'list',
    explain: (value, failedItems) =>
      failedItems.length === 0
        ? [`${spec.name} must be a comma-separated list`]
        : failedItems.map((i) => `${spec.name} entry "${entries(value)[i] ?? ''}" ${spec.item.rule}`),
    secret: spec.secret ?? false,
  };
}
