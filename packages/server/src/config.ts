/**
 * The gateway's configuration, from the environment. One schema describes every variable
 * (config/gateway-settings.ts, and config/agent-settings.ts for the agent's); the parser, the
 * README table, docs/configuration.md and `serve --help` are all printed from it.
 *
 * Why not env-schema: it is TypeBox/JSON Schema plus Ajv plus dotenv. The schema here is TypeBox
 * and is checked with TypeBox's compiler, which the gateway already uses for its payloads; the
 * CLI already loads `.env` with Node's own `process.loadEnvFile`; and env-schema would still leave
 * out what the gateway needs beyond JSON Schema: booleans written yes/on/1, defaults derived at
 * start-up (listen early only without DATABASE_URL, the public URL from PORT), rules between
 * variables, production requirements, secrets kept out of messages and the operator docs.
 */
export { CHECK_SETTINGS, loadCheckSettings } from './config/check-settings.js';
export { ConfigError } from './config/config-error.js';
export { environmentHelp } from './config/environment-help.js';
export type { GatewayConfig } from './config/gateway-config.js';
export { loadConfig } from './config/load-config.js';
export { SETTINGS, type Setting, settingsTable } from './config/settings-table.js';
