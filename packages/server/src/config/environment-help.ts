import { defaultShown, type EnvSetting, groupSettings, SETTING_GROUPS } from './env-setting.js';
import { GATEWAY_CROSS_RULES, GATEWAY_SETTINGS } from './gateway-settings.js';

const WIDTH = 100;
const INDENT = '      ';

/** `text` in lines of at most WIDTH columns (a longer word stays whole), each indented. */
function wrap(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines;
}

function helpEntry(setting: EnvSetting): string[] {
  const shown = defaultShown(setting);
  const facts = `${setting.type}${setting.bounds ? `: ${setting.bounds}` : ''}; default ${shown ?? 'unset'}`;
  const notes = [setting.production ? 'Required in production.' : '', setting.secret ? 'Secret.' : '']
    .filter(Boolean)
    .join(' ');
  const description = `${setting.description.replaceAll('`', '')}.${notes ? ` ${notes}` : ''}`;
  return [`  ${setting.name}  (${facts})`, ...wrap(description, INDENT)];
}

/** The environment part of `printermaster serve --help`: every gateway variable, grouped, plain text. */
export function environmentHelp(): string {
  const lines: string[] = [];
  for (const [group, settings] of groupSettings(Object.values(GATEWAY_SETTINGS)))
    lines.push(`${SETTING_GROUPS[group]}:`, ...settings.flatMap(helpEntry), '');
  lines.push('Rules between variables:');
  for (const { lower, upper } of GATEWAY_CROSS_RULES) {
    lines.push(`  ${GATEWAY_SETTINGS[lower].name} must not exceed ${GATEWAY_SETTINGS[upper].name}`);
  }
  return lines.join('\n');
}
