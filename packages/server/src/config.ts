import { availableParallelism, hostname } from 'node:os';
import { DEFAULT_IMAGE_LIMITS, type ImageLimits, MAX_SOURCE_PIXELS } from '@printermaster/escpos';

/**
 * Every setting the gateway reads, from the environment, validated once at
 * start-up. The same table drives `printermaster serve --help` and the README.
 */
export interface GatewayConfig {
  nodeEnv: string;
  isProduction: boolean;
  http: {
    host: string;
    port: number;
    /** Connections the kernel queues before the process accepts them (capped by net.core.somaxconn). */
    listenBacklog: number;
    /** Open the port at the start of start-up and hold connections until ready (decision 0005). */
    listenEarly: boolean;
    maxBodyBytes: number;
    publicUrl: string;
    trustProxy: boolean;
  };
  database: {
    url: string | undefined;
    poolSize: number;
    dataDir: string;
    schema: string | undefined;
    lockWaitMs: number;
  };
  redisUrl: string | undefined;
  /** Prefix of every Redis key and channel (several deployments on one Redis). */
  redisPrefix: string;
  /** `undefined` in development: a secret is generated once and kept in the store. */
  jwt: { secret: string | undefined; expiresIn: string };
  /** `['*']` allows any origin (development only). */
  corsOrigins: string[];
  logLevel: string;
  instanceId: string;
  bootstrap: boolean;
  requests: { printerTestTimeoutMs: number; maxPending: number; staleSweepIntervalMs: number };
  rateLimits: {
    testsPerBranchPerMinute: number;
    testsPerPrinterPerMinute: number;
    /** Writes (POST, PUT, PATCH, DELETE: jobs, reprints, cancels, printers, tests, legacy bulk) per minute per branch. */
    writesPerBranchPerMinute: number;
    /** Writes per minute per credential: a JWT subject, a licence, a legacy device. */
    writesPerCredentialPerMinute: number;
  };
  jobs: {
    maxJobBytes: number;
    defaultTtlMs: number;
    maxTtlMs: number;
    idempotencyWindowMs: number;
    ackTimeoutMs: number;
    expirySweepIntervalMs: number;
    /** After a delivered job's useful-until time, how long to wait for its outcome before `unconfirmed`, ms. */
    outcomeGraceMs: number;
    redispatchIntervalMs: number;
    /** Jobs read from the store per dispatch pass. */
    dispatchBatchSize: number;
  };
  socket: { maxMessageBytes: number; pingIntervalMs: number; pingTimeoutMs: number; perMessageDeflate: boolean };
  /** Ticket documents are rendered on worker threads, so images cannot stall the event loop. */
  render: {
    /** Worker threads that render documents. */
    threads: number;
    /** Documents that may wait for a thread; one more is refused with RENDERER_BUSY. */
    maxQueue: number;
    imageLimits: ImageLimits;
  };
  shutdownTimeoutMs: number;
}

interface Setting {
  name: string;
  description: string;
  /** Shown in docs; `undefined` means unset by default. */
  default: string | undefined;
  /** Required when NODE_ENV=production. */
  productionRequired?: boolean;
}

export const SETTINGS: Setting[] = [
  { name: 'PORT', description: 'HTTP and Socket.IO port', default: '3001' },
  { name: 'HOST', description: 'Address to listen on', default: '0.0.0.0' },
  {
    name: 'PRINTERMASTER_LISTEN_BACKLOG',
    description:
      'Connections the kernel queues until the process accepts them; a reconnect storm overflows Node’s 511 (the kernel caps it at `net.core.somaxconn`)',
    default: '4096',
  },
  {
    name: 'PRINTERMASTER_LISTEN_EARLY',
    description:
      'Open the port before the store and hold connections until ready, so agents of a restarted gateway are not refused (decision 0005); `true` with the embedded store, `false` with DATABASE_URL (another process behind the balancer should take them); never in a pm2 cluster-mode worker',
    default: 'true / false',
  },
  {
    name: 'PRINTERMASTER_TRUST_PROXY',
    description: 'Take client addresses from X-Forwarded-For (behind nginx or an ingress)',
    default: 'false',
  },
  { name: 'NODE_ENV', description: '`production` enforces the production checks below', default: 'development' },
  {
    name: 'DATABASE_URL',
    description: 'PostgreSQL URL; unset = embedded PGlite store in PRINTERMASTER_DATA_DIR',
    default: undefined,
    productionRequired: true,
  },
  {
    name: 'PRINTERMASTER_DATABASE_SCHEMA',
    description: 'PostgreSQL schema to use (search_path); unset = the server default',
    default: undefined,
  },
  { name: 'DATABASE_POOL_SIZE', description: 'PostgreSQL connections per process', default: '10' },
  { name: 'PRINTERMASTER_DATA_DIR', description: 'Directory of the embedded store', default: './data' },
  {
    name: 'PRINTERMASTER_DATA_DIR_LOCK_WAIT_MS',
    description:
      'How long a starting gateway waits for another process to release the embedded store (pm2 reload overlap)',
    default: '0',
  },
  {
    name: 'REDIS_URL',
    description: 'Redis URL for running several gateway processes (cluster bus, rate limits)',
    default: undefined,
  },
  {
    name: 'JWT_SECRET',
    description:
      'HS256 secret for web users’ JWTs, at least 32 characters; unset in development = generated once and kept in the store',
    default: undefined,
    productionRequired: true,
  },
  { name: 'JWT_EXPIRES_IN', description: 'Lifetime of tokens minted by `printermaster admin token`', default: '1d' },
  {
    name: 'CORS_ORIGINS',
    description: 'Comma-separated allowed browser origins; `*` (development default) allows any',
    default: '*',
    productionRequired: true,
  },
  { name: 'LOG_LEVEL', description: 'pino level: trace, debug, info, warn, error, fatal', default: 'info' },
  {
    name: 'PRINTERMASTER_PUBLIC_URL',
    description: 'URL agents and users reach the gateway at (shown in bootstrap output)',
    default: 'http://localhost:$PORT',
  },
  {
    name: 'PRINTERMASTER_INSTANCE_ID',
    description: 'Name of this gateway process in logs and the service registry',
    default: '<hostname>-<pid>',
  },
  {
    name: 'PRINTERMASTER_BOOTSTRAP',
    description: 'Create a default company, branch, admin token and licence on an empty store',
    default: 'true',
  },
  { name: 'PRINTERMASTER_PRINTER_TEST_TIMEOUT_MS', description: 'Deadline of a printer test', default: '15000' },
  {
    name: 'PRINTERMASTER_MAX_PENDING_REQUESTS',
    description: 'Most socket requests waiting for agents per process',
    default: '10000',
  },
  {
    name: 'PRINTERMASTER_STALE_SWEEP_INTERVAL_MS',
    description: 'Interval of the stale pending-request sweep',
    default: '30000',
  },
  { name: 'PRINTERMASTER_TEST_RATE_PER_BRANCH', description: 'Printer tests per minute per branch', default: '10' },
  { name: 'PRINTERMASTER_TEST_RATE_PER_PRINTER', description: 'Printer tests per minute per printer', default: '5' },
  {
    name: 'PRINTERMASTER_WRITE_RATE_PER_BRANCH',
    description:
      'Writes (jobs, reprints, cancels, printer changes and tests, legacy printer lists) per minute per branch, shared by all processes through Redis; 429 with Retry-After beyond it',
    default: '6000',
  },
  {
    name: 'PRINTERMASTER_WRITE_RATE_PER_CREDENTIAL',
    description:
      'Writes per minute per credential (JWT subject, licence, legacy device), shared like the branch limit; raise it for a POS server that writes for many branches with one token',
    default: '12000',
  },
  {
    name: 'PRINTERMASTER_MAX_JOB_BYTES',
    description: 'Largest print job content (decoded ESC/POS bytes)',
    default: '524288',
  },
  {
    name: 'PRINTERMASTER_MAX_BODY_BYTES',
    description:
      'Largest HTTP request body (413 PAYLOAD_TOO_LARGE); images travel as base64, so it holds 3/4 of it in PNG bytes',
    default: '1048576',
  },
  {
    name: 'PRINTERMASTER_RENDER_THREADS',
    description: 'Worker threads that render ticket documents (images are decoded there, off the event loop)',
    default: 'cores − 1, 1 to 4',
  },
  {
    name: 'PRINTERMASTER_RENDER_QUEUE',
    description: 'Documents that may wait for a render thread; more are refused with 503 RENDERER_BUSY',
    default: '32',
  },
  {
    name: 'PRINTERMASTER_MAX_IMAGE_PIXELS',
    description: `Largest image in a ticket document, width × height as its PNG header declares (413 IMAGE_TOO_LARGE); at most ${MAX_SOURCE_PIXELS}`,
    default: String(DEFAULT_IMAGE_LIMITS.maxImagePixels),
  },
  {
    name: 'PRINTERMASTER_MAX_IMAGE_BYTES',
    description:
      'Largest PNG file of one image, bytes (413 IMAGE_TOO_LARGE); at most 750000 (the document schema’s cap)',
    default: String(DEFAULT_IMAGE_LIMITS.maxImageBytes),
  },
  {
    name: 'PRINTERMASTER_MAX_JOB_IMAGE_PIXELS',
    description: 'Largest sum of image pixels in one job’s document (413 JOB_IMAGES_TOO_LARGE)',
    default: String(DEFAULT_IMAGE_LIMITS.maxDocumentPixels),
  },
  {
    name: 'PRINTERMASTER_MAX_JOB_IMAGE_BYTES',
    description: 'Largest sum of PNG bytes in one job’s document (413 JOB_IMAGES_TOO_LARGE)',
    default: String(DEFAULT_IMAGE_LIMITS.maxDocumentBytes),
  },
  {
    name: 'PRINTERMASTER_JOB_TTL_S',
    description: 'Default useful-until of a job, seconds after creation',
    default: '3600',
  },
  {
    name: 'PRINTERMASTER_JOB_MAX_TTL_S',
    description: 'Latest useful-until accepted, seconds after creation',
    default: '604800',
  },
  {
    name: 'PRINTERMASTER_IDEMPOTENCY_WINDOW_S',
    description: 'How long an Idempotency-Key is remembered',
    default: '86400',
  },
  {
    name: 'PRINTERMASTER_JOB_ACK_TIMEOUT_MS',
    description: 'Wait for an agent’s journal acknowledgement of a job',
    default: '10000',
  },
  { name: 'PRINTERMASTER_EXPIRY_SWEEP_INTERVAL_MS', description: 'Interval of the job expiry sweep', default: '5000' },
  {
    name: 'PRINTERMASTER_JOB_OUTCOME_GRACE_MS',
    description:
      'After a job delivered to an agent passes its useful-until time, how long to wait for the agent’s outcome before the job becomes unconfirmed',
    default: '600000',
  },
  {
    name: 'PRINTERMASTER_REDISPATCH_INTERVAL_MS',
    description: 'Interval at which unacknowledged jobs are re-sent to connected agents',
    default: '30000',
  },
  { name: 'PRINTERMASTER_SOCKET_MAX_MESSAGE_BYTES', description: 'Largest Socket.IO message', default: '1000000' },
  {
    name: 'PRINTERMASTER_SOCKET_PING_INTERVAL_MS',
    description: 'Engine.IO ping interval (also the transport latency sample rate)',
    default: '25000',
  },
  { name: 'PRINTERMASTER_SOCKET_PING_TIMEOUT_MS', description: 'Engine.IO ping timeout', default: '20000' },
  {
    name: 'PRINTERMASTER_SOCKET_DEFLATE',
    description: 'Per-message deflate for socket messages over 1 KB, without context takeover (decision 0004)',
    default: 'true',
  },
  {
    name: 'PRINTERMASTER_SHUTDOWN_TIMEOUT_MS',
    description: 'Longest graceful drain on SIGTERM/SIGINT',
    default: '10000',
  },
];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads and validates the configuration; throws `ConfigError` listing every problem at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };

  const nodeEnv = get('NODE_ENV') ?? 'development';
  const isProduction = nodeEnv === 'production';
  const port = int('PORT', 3001, 0, 65535);

  const databaseUrl = get('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const redisUrl = get('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl))
    problems.push('REDIS_URL must be a redis:// or rediss:// URL');

  const jwtSecret = get('JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) problems.push('JWT_SECRET must be at least 32 characters');
  if (jwtSecret !== undefined && /^(change.?me|secret|your[-_].*|example.*)$/i.test(jwtSecret)) {
    problems.push('JWT_SECRET is a placeholder; generate one with `openssl rand -base64 48`');
  }
  const expiresIn = get('JWT_EXPIRES_IN') ?? '1d';
  if (!/^\d+[smhdw]?$/.test(expiresIn)) problems.push('JWT_EXPIRES_IN must look like 3600, 15m, 12h, 1d or 1w');

  const corsRaw = get('CORS_ORIGINS');
  const corsOrigins = (corsRaw ?? '*')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(`CORS_ORIGINS entry "${origin}" must be an origin like https://pos.example.com (no path)`);
    }
  }

  const logLevel = get('LOG_LEVEL') ?? 'info';
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent (got "${logLevel}")`);
  }

  if (isProduction) {
    const missing: string[] = [];
    if (jwtSecret === undefined) missing.push('JWT_SECRET (a random secret of at least 32 characters)');
    if (corsRaw === undefined || corsOrigins.includes('*')) missing.push('CORS_ORIGINS (explicit origins, not *)');
    if (databaseUrl === undefined)
      missing.push('DATABASE_URL (PostgreSQL; the embedded store is for development and small sites)');
    for (const m of missing) problems.push(`NODE_ENV=production requires ${m}`);
  }

  const config: GatewayConfig = {
    nodeEnv,
    isProduction,
    http: {
      host: get('HOST') ?? '0.0.0.0',
      port,
      listenBacklog: int('PRINTERMASTER_LISTEN_BACKLOG', 4096, 1, 1_000_000),
      listenEarly: bool('PRINTERMASTER_LISTEN_EARLY', databaseUrl === undefined),
      maxBodyBytes: int('PRINTERMASTER_MAX_BODY_BYTES', 1_048_576, 1024, 64 * 1024 * 1024),
      publicUrl: (get('PRINTERMASTER_PUBLIC_URL') ?? `http://localhost:${port}`).replace(/\/+$/, ''),
      trustProxy: bool('PRINTERMASTER_TRUST_PROXY', false),
    },
    database: {
      url: databaseUrl,
      poolSize: int('DATABASE_POOL_SIZE', 10, 1, 500),
      dataDir: get('PRINTERMASTER_DATA_DIR') ?? './data',
      schema: get('PRINTERMASTER_DATABASE_SCHEMA'),
      lockWaitMs: int('PRINTERMASTER_DATA_DIR_LOCK_WAIT_MS', 0, 0, 120_000),
    },
    redisUrl,
    redisPrefix: get('PRINTERMASTER_REDIS_PREFIX') ?? 'printermaster:',
    jwt: { secret: jwtSecret, expiresIn },
    corsOrigins,
    logLevel,
    instanceId: get('PRINTERMASTER_INSTANCE_ID') ?? `${hostname()}-${process.pid}`,
    bootstrap: bool('PRINTERMASTER_BOOTSTRAP', true),
    requests: {
      printerTestTimeoutMs: int('PRINTERMASTER_PRINTER_TEST_TIMEOUT_MS', 15_000, 100, 600_000),
      maxPending: int('PRINTERMASTER_MAX_PENDING_REQUESTS', 10_000, 1, 10_000_000),
      staleSweepIntervalMs: int('PRINTERMASTER_STALE_SWEEP_INTERVAL_MS', 30_000, 100, 3_600_000),
    },
    rateLimits: {
      testsPerBranchPerMinute: int('PRINTERMASTER_TEST_RATE_PER_BRANCH', 10, 1, 1_000_000),
      testsPerPrinterPerMinute: int('PRINTERMASTER_TEST_RATE_PER_PRINTER', 5, 1, 1_000_000),
      writesPerBranchPerMinute: int('PRINTERMASTER_WRITE_RATE_PER_BRANCH', 6_000, 1, 10_000_000),
      writesPerCredentialPerMinute: int('PRINTERMASTER_WRITE_RATE_PER_CREDENTIAL', 12_000, 1, 10_000_000),
    },
    jobs: {
      maxJobBytes: int('PRINTERMASTER_MAX_JOB_BYTES', 524_288, 64, 16 * 1024 * 1024),
      defaultTtlMs: int('PRINTERMASTER_JOB_TTL_S', 3600, 1, 30 * 86_400) * 1000,
      maxTtlMs: int('PRINTERMASTER_JOB_MAX_TTL_S', 604_800, 1, 365 * 86_400) * 1000,
      idempotencyWindowMs: int('PRINTERMASTER_IDEMPOTENCY_WINDOW_S', 86_400, 1, 30 * 86_400) * 1000,
      ackTimeoutMs: int('PRINTERMASTER_JOB_ACK_TIMEOUT_MS', 10_000, 100, 600_000),
      expirySweepIntervalMs: int('PRINTERMASTER_EXPIRY_SWEEP_INTERVAL_MS', 5_000, 50, 3_600_000),
      outcomeGraceMs: int('PRINTERMASTER_JOB_OUTCOME_GRACE_MS', 600_000, 0, 7 * 86_400_000),
      redispatchIntervalMs: int('PRINTERMASTER_REDISPATCH_INTERVAL_MS', 30_000, 100, 3_600_000),
      dispatchBatchSize: int('PRINTERMASTER_DISPATCH_BATCH_SIZE', 200, 1, 10_000),
    },
    socket: {
      maxMessageBytes: int('PRINTERMASTER_SOCKET_MAX_MESSAGE_BYTES', 1_000_000, 1024, 100_000_000),
      pingIntervalMs: int('PRINTERMASTER_SOCKET_PING_INTERVAL_MS', 25_000, 100, 600_000),
      pingTimeoutMs: int('PRINTERMASTER_SOCKET_PING_TIMEOUT_MS', 20_000, 100, 600_000),
      perMessageDeflate: bool('PRINTERMASTER_SOCKET_DEFLATE', true),
    },
    render: {
      threads: int('PRINTERMASTER_RENDER_THREADS', Math.min(4, Math.max(1, availableParallelism() - 1)), 1, 64),
      maxQueue: int('PRINTERMASTER_RENDER_QUEUE', 32, 0, 100_000),
      imageLimits: {
        maxImagePixels: int(
          'PRINTERMASTER_MAX_IMAGE_PIXELS',
          DEFAULT_IMAGE_LIMITS.maxImagePixels,
          1,
          MAX_SOURCE_PIXELS,
        ),
        maxImageBytes: int('PRINTERMASTER_MAX_IMAGE_BYTES', DEFAULT_IMAGE_LIMITS.maxImageBytes, 64, 750_000),
        maxDocumentPixels: int(
          'PRINTERMASTER_MAX_JOB_IMAGE_PIXELS',
          DEFAULT_IMAGE_LIMITS.maxDocumentPixels,
          1,
          1_000_000_000,
        ),
        maxDocumentBytes: int(
          'PRINTERMASTER_MAX_JOB_IMAGE_BYTES',
          DEFAULT_IMAGE_LIMITS.maxDocumentBytes,
          64,
          64 * 1024 * 1024,
        ),
      },
    },
    shutdownTimeoutMs: int('PRINTERMASTER_SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
  };
  if (config.jobs.defaultTtlMs > config.jobs.maxTtlMs) {
    problems.push('PRINTERMASTER_JOB_TTL_S must not exceed PRINTERMASTER_JOB_MAX_TTL_S');
  }
  const images = config.render.imageLimits;
  if (images.maxImagePixels > images.maxDocumentPixels) {
    problems.push('PRINTERMASTER_MAX_IMAGE_PIXELS must not exceed PRINTERMASTER_MAX_JOB_IMAGE_PIXELS');
  }
  if (images.maxImageBytes > images.maxDocumentBytes) {
    problems.push('PRINTERMASTER_MAX_IMAGE_BYTES must not exceed PRINTERMASTER_MAX_JOB_IMAGE_BYTES');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The settings as a Markdown table (README, `serve --help`). */
export function settingsTable(): string {
  const rows = SETTINGS.map(
    (s) =>
      `| \`${s.name}\` | ${s.default === undefined ? '—' : `\`${s.default}\``} | ${s.description}${s.productionRequired ? ' **(required in production)**' : ''} |`,
  );
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}
