import { type TObject, type TSchema, Type } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import type { EnvValues, SettingsSchema } from './env-setting.js';

/** The variables as the process sees them, or a plain record in tests. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** A parsed environment: every value (or its default), and every problem found, in schema order. */
export interface ParsedEnv<S extends SettingsSchema> {
  values: EnvValues<S>;
  /** Complete sentences naming the variable; empty when every value is acceptable. */
  problems: string[];
  /** Keys of the settings whose value was refused (their `values` entry is the default). */
  refused: Set<keyof S>;
}

const compiled = new WeakMap<SettingsSchema, TypeCheck<TObject>>();

/** The JSON Schema of a whole environment: one optional property per variable. */
function environmentJsonSchema(schema: SettingsSchema): TObject {
  const properties: Record<string, TSchema> = {};
  for (const setting of Object.values(schema)) properties[setting.name] = Type.Optional(setting.schema);
  return Type.Object(properties);
}

function checkerFor(schema: SettingsSchema): TypeCheck<TObject> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(environmentJsonSchema(schema));
    compiled.set(schema, check);
  }
  return check;
}

/**
 * Reads every variable of `schema` from `env` once and checks them all against the schema, so all
 * problems are reported together. A blank value counts as unset. A refused value is replaced by
 * its default, so later checks can go on.
 */
export function parseEnv<S extends SettingsSchema>(schema: S, env: Environment): ParsedEnv<S> {
  const texts = new Map<string, string>();
  const candidates: Record<string, unknown> = {};
  for (const setting of Object.values(schema)) {
    const text = env[setting.name]?.trim();
    if (text === undefined || text === '') continue;
    texts.set(setting.name, text);
    candidates[setting.name] = setting.decode(text);
  }
  // Error paths are JSON pointers: `/NAME`, or `/NAME/3` for the fourth entry of a list.
  const failed = new Map<string, number[]>();
  for (const error of checkerFor(schema).Errors(candidates)) {
    const [, name = '', item] = error.path.split('/');
    const items = failed.get(name) ?? [];
    if (item !== undefined && !items.includes(Number(item))) items.push(Number(item));
    failed.set(name, items);
  }
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  const refused = new Set<keyof S>();
  for (const [key, setting] of Object.entries(schema)) {
    const text = texts.get(setting.name);
    if (text === undefined) {
      values[key] = setting.default;
      continue;
    }
    const failedItems = failed.get(setting.name);
    const found = [
      ...(failedItems === undefined ? [] : setting.explain(text, failedItems)),
      // Also for a value the schema refused: a short placeholder secret is named a placeholder too.
      setting.refuse?.(candidates[setting.name]),
    ].filter((p): p is string => p !== undefined);
    if (failedItems === undefined && found.length === 0) {
      values[key] = candidates[setting.name];
      continue;
    }
    problems.push(...found);
    refused.add(key);
    values[key] = setting.default;
  }
  return { values: values as EnvValues<S>, problems, refused };
}
