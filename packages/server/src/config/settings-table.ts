import { defaultShown, type EnvSetting, type SettingGroup } from './env-setting.js';
import { GATEWAY_SETTINGS } from './gateway-settings.js';

/** What the README, `serve --help` and the deployment checks need to know of one gateway variable. */
export interface Setting {
  /** The variable's name. */
  name: string;
  /** What it does; Markdown. */
  description: string;
  /** The default as shown in docs; `undefined` means unset by default. */
  default: string | undefined;
  /** Required when NODE_ENV=production. */
  productionRequired?: boolean;
  /** The reference section it is listed under. */
  group: SettingGroup;
  /** Short type, with a unit where there is one. */
  type: string;
  /** Accepted values; empty when anything goes. */
  bounds: string;
  /** Holds a credential. */
  secret: boolean;
}

function summary(setting: EnvSetting): Setting {
  return {
    name: setting.name,
    description: setting.description,
    default: defaultShown(setting),
    ...(setting.production ? { productionRequired: true } : {}),
    group: setting.group,
    type: setting.type,
    bounds: setting.bounds,
    secret: setting.secret,
  };
}

/** Every variable the gateway reads, in the order of the docs; derived from gateway-settings.ts. */
export const SETTINGS: Setting[] = Object.values(GATEWAY_SETTINGS).map(summary);

/** The gateway's variables as the README's Markdown table. */
export function settingsTable(): string {
  const rows = SETTINGS.map(
    (s) =>
      `| \`${s.name}\` | ${s.default === undefined ? '—' : `\`${s.default}\``} | ${s.description}${s.productionRequired ? ' **(required in production)**' : ''} |`,
  );
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}
