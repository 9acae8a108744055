import { flag, integer, oneOf, text } from './setting-kinds.js';

/** The process: environment, logging, first start, stopping. */
export const PROCESS_SETTINGS = {
  nodeEnv: text({
    name: 'NODE_ENV',
    group: 'process',
    description: '`production` enforces the checks marked required in production',
    default: 'development',
  }),
  logLevel: oneOf({
    name: 'LOG_LEVEL',
    group: 'process',
    description: 'pino level: trace, debug, info, warn, error, fatal',
    values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
    default: 'info',
  }),
  bootstrap: flag({
    name: 'PRINTERMASTER_BOOTSTRAP',
    group: 'process',
    description: 'Create a default company, branch, admin token and licence on an empty store',
    default: true,
  }),
  pm2Slot: text({
    name: 'NODE_APP_INSTANCE',
    group: 'process',
    description:
      "Set by pm2: the worker's slot in its app. On the embedded store a new worker takes the store over only from the worker of its own slot (a reload), never from another (decision 0010)",
    default: undefined,
  }),
  shutdownTimeoutMs: integer({
    name: 'PRINTERMASTER_SHUTDOWN_TIMEOUT_MS',
    group: 'process',
    description: 'Longest graceful drain on SIGTERM/SIGINT',
    default: 10_000,
    min: 100,
    max: 600_000,
    unit: 'ms',
  }),
} as const;
