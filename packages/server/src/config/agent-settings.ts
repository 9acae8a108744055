import { integer, list, oneOf, text } from './setting-kinds.js';

/** An agent timing: a positive number of milliseconds, as agent-cli.ts accepts it. */
function agentTiming(name: string, description: string, defaultMs: number) {
  return integer({ name, group: 'agent-timings', description, default: defaultMs, min: 1, unit: 'ms' });
}

/**
 * What `printermaster agent` reads. The agent parses these itself (packages/agent/src/agent-cli.ts):
 * it runs on branch PCs and never loads the gateway's code, so it cannot import this schema. They
 * are described here so that the reference is whole, and
 * packages/server/test/config/env-drift.test.ts holds agent-cli.ts, its `--help` and this list to
 * the same names, defaults and timing bounds. A flag wins over its variable, and the variable over
 * the `--config` file (docs/agent.md).
 */
export const AGENT_SETTINGS = {
  serverUrl: text({
    name: 'PRINTERMASTER_SERVER_URL',
    group: 'agent-connection',
    description: 'The gateway’s URL (`--server`)',
    default: undefined,
    type: 'URL',
    pattern: /^https?:\/\/[^\s]+$/,
    bounds: 'http:// or https://; required',
  }),
  licenseKey: text({
    name: 'PRINTERMASTER_LICENSE_KEY',
    group: 'agent-connection',
    description: 'The branch’s licence key (`--license`)',
    default: undefined,
    type: 'UUID',
    pattern: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/,
    bounds: 'a version 4 UUID; required',
    secret: true,
  }),
  printers: list({
    name: 'PRINTERMASTER_PRINTERS',
    group: 'agent-connection',
    description: 'Printers, added to those given with `--printer` and in the `--config` file',
    default: undefined,
    item: { pattern: /^[^=]+=(tcp|cups):\/\/.+$/, rule: 'must look like NAME=tcp://HOST:PORT or NAME=cups://QUEUE' },
    bounds: 'NAME=tcp://HOST:PORT (raw port 9100) or NAME=cups://QUEUE',
  }),
  journalDir: text({
    name: 'PRINTERMASTER_JOURNAL_DIR',
    group: 'agent-connection',
    description: 'The agent’s journal directory (`--journal`)',
    default: './agent-data',
    type: 'path',
  }),
  deviceId: text({
    name: 'PRINTERMASTER_DEVICE_ID',
    group: 'agent-connection',
    description: 'Overrides the stable device id (`--device-id`)',
    default: undefined,
    defaultText: 'made once, kept in the journal',
  }),
  standbyGroup: text({
    name: 'PRINTERMASTER_AGENT_STANDBY_GROUP',
    group: 'agent-connection',
    description:
      'Pairs the agent with another PC’s agent for the same printers: of a branch’s agents in one group, one prints and the others stand by (`--standby-group`; docs/agent.md)',
    default: undefined,
    defaultText: 'none',
    pattern: /^[A-Za-z0-9._-]{1,50}$/,
    bounds: '1–50 letters, digits, dots, dashes or underscores',
  }),
  logLevel: oneOf({
    name: 'LOG_LEVEL',
    group: 'agent-connection',
    description: 'The agent’s log level (`--log-level`)',
    values: ['debug', 'info', 'warn', 'error'],
    default: 'info',
  }),
  pingIntervalMs: agentTiming('PRINTERMASTER_AGENT_PING_INTERVAL_MS', 'Acknowledged ping to the gateway', 15_000),
  healthReportIntervalMs: agentTiming(
    'PRINTERMASTER_AGENT_HEALTH_REPORT_INTERVAL_MS',
    'Interval of `desktop:health:report`',
    300_000,
  ),
  statusPollIntervalMs: agentTiming(
    'PRINTERMASTER_AGENT_STATUS_POLL_INTERVAL_MS',
    'Printer status checks (DLE EOT, lpstat), all printers at once; a change is reported within about this long',
    1_000,
  ),
  reconnectBaseMs: agentTiming(
    'PRINTERMASTER_AGENT_RECONNECT_BASE_MS',
    'First delay of the reconnection backoff (jittered, never gives up)',
    1_000,
  ),
  reconnectMaxMs: agentTiming(
    'PRINTERMASTER_AGENT_RECONNECT_MAX_MS',
    'Longest delay of the reconnection backoff',
    30_000,
  ),
  retryBaseMs: agentTiming(
    'PRINTERMASTER_AGENT_RETRY_BASE_MS',
    'First delay of the backoff while a printer is not ready',
    1_000,
  ),
  retryMaxMs: agentTiming(
    'PRINTERMASTER_AGENT_RETRY_MAX_MS',
    'Longest delay of the backoff while a printer is not ready',
    30_000,
  ),
} as const;
