import { integer, list } from './setting-kinds.js';

/** Requests that wait for an agent (printer tests), and the write rate limits. */
export const REQUEST_SETTINGS = {
  printerTestTimeoutMs: integer({
    name: 'PRINTERMASTER_PRINTER_TEST_TIMEOUT_MS',
    group: 'requests',
    description: 'Deadline of a printer test',
    default: 15_000,
    min: 100,
    max: 600_000,
    unit: 'ms',
  }),
  canaryIntervalMs: integer({
    name: 'PRINTERMASTER_CANARY_INTERVAL_MS',
    group: 'requests',
    description:
      'Period of the end-to-end printer canaries: a paperless status probe through each agent to each of its printers (docs/operations.md#canaries); 0 turns them off',
    default: 300_000,
    min: 0,
    max: 86_400_000,
    unit: 'ms',
  }),
  canaryTimeoutMs: integer({
    name: 'PRINTERMASTER_CANARY_TIMEOUT_MS',
    group: 'requests',
    description: 'How long a canary waits for the agent’s answer before it counts as failed (`no_answer`)',
    default: 10_000,
    min: 100,
    max: 600_000,
    unit: 'ms',
  }),
  maxPendingRequests: integer({
    name: 'PRINTERMASTER_MAX_PENDING_REQUESTS',
    group: 'requests',
    description: 'Most socket requests waiting for agents per process',
    default: 10_000,
    min: 1,
    max: 10_000_000,
  }),
  staleSweepIntervalMs: integer({
    name: 'PRINTERMASTER_STALE_SWEEP_INTERVAL_MS',
    group: 'requests',
    description: 'Interval of the stale pending-request sweep',
    default: 30_000,
    min: 100,
    max: 3_600_000,
    unit: 'ms',
  }),
  testsPerBranchPerMinute: integer({
    name: 'PRINTERMASTER_TEST_RATE_PER_BRANCH',
    group: 'requests',
    description: 'Printer tests per minute per branch',
    default: 10,
    min: 1,
    max: 1_000_000,
    unit: 'per minute',
  }),
  testsPerPrinterPerMinute: integer({
    name: 'PRINTERMASTER_TEST_RATE_PER_PRINTER',
    group: 'requests',
    description: 'Printer tests per minute per printer',
    default: 5,
    min: 1,
    max: 1_000_000,
    unit: 'per minute',
  }),
  writesPerBranchPerMinute: integer({
    name: 'PRINTERMASTER_WRITE_RATE_PER_BRANCH',
    group: 'requests',
    description:
      'Writes (jobs, reprints, cancels, printer changes and tests, legacy printer lists) per minute per branch, shared by all processes through Redis; 429 with Retry-After beyond it',
    default: 6_000,
    min: 1,
    max: 10_000_000,
    unit: 'per minute',
  }),
  writesPerCredentialPerMinute: integer({
    name: 'PRINTERMASTER_WRITE_RATE_PER_CREDENTIAL',
    group: 'requests',
    description:
      'Writes per minute per credential (JWT subject, licence, legacy device), shared like the branch limit; raise it for a POS server that writes for many branches with one token',
    default: 12_000,
    min: 1,
    max: 10_000_000,
    unit: 'per minute',
  }),
  rateLimitWhitelist: list({
    name: 'PRINTERMASTER_RATE_LIMIT_WHITELIST',
    group: 'requests',
    description:
      'Comma-separated rate-limit keys no limiter counts or refuses, exactly as `/api/metrics/ratelimit` lists blocked keys (a user’s or API key’s writes: `user:<companyId>:<userId>`); for high-volume internal services',
    default: [],
    defaultText: 'none',
    item: { pattern: /^[^\s,]{1,200}$/, rule: 'must be a key without spaces, at most 200 characters' },
    bounds: 'keys without spaces',
  }),
} as const;
