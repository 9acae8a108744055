import { integer, text } from './setting-kinds.js';

/** Where the data lives: PostgreSQL, or the embedded PGlite store. */
export const STORE_SETTINGS = {
  databaseUrl: text({
    name: 'DATABASE_URL',
    group: 'store',
    description: 'PostgreSQL URL; unset = embedded PGlite store in PRINTERMASTER_DATA_DIR',
    default: undefined,
    type: 'URL',
    pattern: /^postgres(ql)?:\/\//,
    rule: 'must be a postgres:// or postgresql:// URL',
    bounds: 'postgres:// or postgresql://',
    // The URL usually carries the password.
    secret: true,
    production: {
      requirement: 'DATABASE_URL (PostgreSQL; the embedded store is for development and small sites)',
    },
  }),
  databaseSchema: text({
    name: 'PRINTERMASTER_DATABASE_SCHEMA',
    group: 'store',
    description: 'PostgreSQL schema to use (search_path); unset = the server default',
    default: undefined,
  }),
  databasePoolSize: integer({
    name: 'DATABASE_POOL_SIZE',
    group: 'store',
    description: 'PostgreSQL connections per process',
    default: 10,
    min: 1,
    max: 500,
  }),
  dataDir: text({
    name: 'PRINTERMASTER_DATA_DIR',
    group: 'store',
    description: 'Directory of the embedded store',
    default: './data',
    type: 'path',
  }),
  storeSeed: text({
    name: 'PRINTERMASTER_STORE_SEED',
    group: 'store',
    description:
      'A backup of the embedded store (`printermaster backup`) that a new embedded store starts from instead of an empty one: when `PRINTERMASTER_DATA_DIR` is `memory` or holds no store yet (ignored otherwise, and with `DATABASE_URL`); migrations newer than the backup are applied at start',
    default: undefined,
    type: 'path',
  }),
  embeddedVacuumIntervalS: integer({
    name: 'PRINTERMASTER_EMBEDDED_VACUUM_INTERVAL_S',
    group: 'store',
    description:
      'How often the embedded store is vacuumed and analysed where enough changed (PostgreSQL’s autovacuum thresholds; PGlite has no autovacuum of its own), one table at a time; 0: never (not advised: lookups slow down as history grows)',
    default: 60,
    min: 0,
    max: 86_400,
    unit: 's',
  }),
  dataDirLockWaitMs: integer({
    name: 'PRINTERMASTER_DATA_DIR_LOCK_WAIT_MS',
    group: 'store',
    description:
      'How long a starting gateway waits for another process to release the embedded store; in a pm2 cluster-mode reload, above 0 also lets the new worker ask the old one to hand the store over (decision 0010)',
    default: 0,
    min: 0,
    max: 120_000,
    unit: 'ms',
  }),
  slowQueryMs: integer({
    name: 'PRINTERMASTER_SLOW_QUERY_MS',
    group: 'store',
    description:
      'Statements taking at least this long are listed in `/api/metrics/performance` (`slowQueries`, the newest `PRINTERMASTER_SLOW_QUERIES_KEPT`, without their values); 0 lists every statement',
    default: 1_000,
    min: 0,
    max: 3_600_000,
    unit: 'ms',
  }),
} as const;
