import { ConfigError } from './config-error.js';
import { HTTP_SETTINGS } from './http-settings.js';
import { type Environment, parseEnv } from './parse-env.js';
import { text } from './setting-kinds.js';

/**
 * What `printermaster smoke` and `printermaster health websocket` read beside the gateway's own
 * variables (which they read too, to mint a token on the gateway's host). Not the gateway's: a
 * running gateway never reads these.
 */
export const CHECK_SETTINGS = {
  token: text({
    name: 'PRINTERMASTER_TOKEN',
    group: 'checks',
    description:
      'The JWT or API key the checks use when `--token` is not given; without either, on the gateway’s host they mint a `super_admin` token valid for 10 minutes',
    default: undefined,
    type: 'JWT or API key',
    secret: true,
  }),
} as const;

/**
 * The checks' variables, and the gateway's `PORT` (the checks' default target is this machine's
 * gateway on it); throws `ConfigError` naming each refused one.
 */
export function loadCheckSettings(env: Environment = process.env): { token: string | undefined; port: number } {
  const { values, problems } = parseEnv({ ...CHECK_SETTINGS, port: HTTP_SETTINGS.port }, env);
  if (problems.length > 0) throw new ConfigError(problems);
  return { token: values.token, port: values.port };
}
