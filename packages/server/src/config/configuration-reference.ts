import { AGENT_SETTINGS } from './agent-settings.js';
import { CHECK_SETTINGS } from './check-settings.js';
import { defaultShown, type EnvSetting, groupSettings, SETTING_GROUPS } from './env-setting.js';
import { GATEWAY_CROSS_RULES, GATEWAY_SETTINGS } from './gateway-settings.js';

const cell = (text: string): string => (text === '' ? '' : text.replaceAll('|', '\\|'));

function referenceTables(settings: readonly EnvSetting[]): string[] {
  const lines: string[] = [];
  for (const [group, members] of groupSettings(settings)) {
    lines.push(
      `### ${SETTING_GROUPS[group]}`,
      '',
      '| Variable | Type | Default | Accepts | Meaning |',
      '|---|---|---|---|---|',
    );
    for (const s of members) {
      const shown = defaultShown(s);
      const marks = [
        s.production ? '**Required in production.**' : '',
        s.secret ? '**Secret**: never echoed in error messages.' : '',
      ]
        .filter(Boolean)
        .join(' ');
      lines.push(
        `| \`${s.name}\` | ${s.type} | ${shown === undefined ? 'unset' : `\`${shown}\``} | ${cell(s.bounds)} | ${cell(s.description)}${marks ? `. ${marks}` : ''} |`,
      );
    }
    lines.push('');
  }
  return lines;
}

/**
 * The reference of every variable, grouped, as docs/configuration.md holds it between its
 * generated-section markers: the gateway's, the rules between them, the agent's, then the checks'.
 */
export function configurationReference(): string {
  const gateway = Object.values(GATEWAY_SETTINGS) as EnvSetting[];
  const rules = GATEWAY_CROSS_RULES.map(
    ({ lower, upper }) => `- \`${GATEWAY_SETTINGS[lower].name}\` must not exceed \`${GATEWAY_SETTINGS[upper].name}\`.`,
  );
  const production = gateway
    .filter((s) => s.production)
    .map((s) => `- \`NODE_ENV=production\` requires ${s.production?.requirement.replace(s.name, `\`${s.name}\``)}.`);
  return [
    '## The gateway',
    '',
    'Read by `printermaster serve`, and by `migrate`, `admin`, `backup` and `restore` for the store.',
    '',
    ...referenceTables(gateway),
    '### Rules between variables',
    '',
    ...rules,
    ...production,
    '',
    '## The agent',
    '',
    'Read by `printermaster agent`. A flag wins over its variable, and the variable over the `--config` file; printers from all three are added together ([the agent](agent.md)).',
    '',
    ...referenceTables(Object.values(AGENT_SETTINGS) as EnvSetting[]),
    '## The checks',
    '',
    'Read by `printermaster smoke` and `printermaster health websocket` (`npm run test:smoke`, `npm run test:websocket`, `scripts/test-websocket-connection.js`); `--token` wins over the variable ([smoke and health commands](operations.md#smoke-and-health-commands)).',
    '',
    ...referenceTables(Object.values(CHECK_SETTINGS) as EnvSetting[]),
  ]
    .join('\n')
    .trimEnd();
}
