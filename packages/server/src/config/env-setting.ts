import type { TSchema } from '@sinclair/typebox';

/** Sections of the configuration reference, in the order the docs and `serve --help` show them. */
export const SETTING_GROUPS = {
  process: 'Process',
  http: 'HTTP and sockets',
  store: 'Store',
  cluster: 'Several processes',
  security: 'Security',
  requests: 'Printer tests and rate limits',
  jobs: 'Print jobs',
  render: 'Ticket rendering',
  events: 'Events and the event feed',
  webhooks: 'Webhooks',
  retention: 'Retention',
  memory: 'Memory bounds',
  'agent-connection': 'Agent: connection and printers',
  'agent-timings': 'Agent: timings',
  checks: 'Smoke and health checks',
} as const;

/** Key of a section in `SETTING_GROUPS`. */
export type SettingGroup = keyof typeof SETTING_GROUPS;

/**
 * One environment variable, described once: the schema the parser checks a value against and
 * everything the README table, docs/configuration.md and `serve --help` say about it.
 *
 * `T` is the parsed value's type; `D` the type of `default` (`undefined` when the variable has no
 * fixed default: it stays unset, or start-up derives one, as `defaultText` says).
 */
export interface EnvSetting<T = unknown, D extends T | undefined = T | undefined> {
  /** The variable's name, exactly as in the environment. */
  readonly name: string;
  /** The reference section it is listed under. */
  readonly group: SettingGroup;
  /** What it does, for operators; Markdown (backticks) allowed. */
  readonly description: string;
  /** JSON Schema (TypeBox) of the parsed value: its type and bounds. The parser checks it. */
  readonly schema: TSchema;
  /**
   * Turns the trimmed, non-empty text of the variable into a candidate value for `schema`. A text
   * that cannot become a value is returned as it is, and the schema then refuses it.
   */
  decode(text: string): unknown;
  /** Value when the variable is unset or blank. */
  readonly default: D;
  /** The default as the docs show it, when `default` alone does not say it (derived at start-up). */
  readonly defaultText?: string;
  /** Short type for the reference: `integer`, `boolean`, `URL`, `text`, `list`, … with a unit. */
  readonly type: string;
  /** Accepted values for the reference, e.g. `0 to 65535`; empty when anything goes. */
  readonly bounds: string;
  /**
   * Problems for a value the schema refused: complete sentences that name the variable.
   * `failedItems` are the indexes of refused entries when the value is a list.
   */
  explain(text: string, failedItems: readonly number[]): string[];
  /**
   * Further check of a value that is set, whether the schema accepted it or not (the decoded
   * value: only text settings have one, and their decoded value is always the text); returns
   * a problem sentence, or `undefined`.
   */
  refuse?(value: T): string | undefined;
  /** Holds a credential: never echoed in a problem, marked as secret in the docs. */
  readonly secret: boolean;
  /**
   * Set when `NODE_ENV=production` requires the variable: `requirement` completes
   * "NODE_ENV=production requires …"; `accepts` may refuse a value that is set (e.g. `*`).
   */
  readonly production?: { readonly requirement: string; accepts?(value: T): boolean };
}

/** The settings a parser reads, keyed by the name its code uses for each value. */
export type SettingsSchema = Readonly<Record<string, EnvSetting>>;

/** The parsed values of a schema: a setting without a fixed default may be `undefined`. */
export type EnvValues<S extends SettingsSchema> = {
  -readonly [K in keyof S]: S[K] extends EnvSetting<infer T, infer D>
    ? undefined extends D
      ? T | undefined
      : T
    : never;
};

/** The default as the docs print it: `defaultText`, else the value, else `undefined` (unset). */
export function defaultShown(setting: EnvSetting): string | undefined {
  if (setting.defaultText !== undefined) return setting.defaultText;
  const value = setting.default;
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Settings by section, sections in the order of their first setting. */
export function groupSettings(settings: readonly EnvSetting[]): Map<SettingGroup, EnvSetting[]> {
  const groups = new Map<SettingGroup, EnvSetting[]>();
  for (const setting of settings) groups.set(setting.group, [...(groups.get(setting.group) ?? []), setting]);
  return groups;
}
