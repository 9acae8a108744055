import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';
import { DEFAULT_MEMORY_BOUNDS } from '../../src/core/memory-bounds.js';

/** The problems `loadConfig` reports for `env`, or `[]` when it accepts it. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://127.0.0.1/printermaster',
  JWT_SECRET: 'a-secret-long-enough-for-production-use-0123456789',
  CORS_ORIGINS: 'https://pos.example.com',
};

describe('loadConfig', () => {
  it('reports every problem at once, one sentence per variable, in a single ConfigError', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      PRINTERMASTER_SOCKET_DEFLATE: 'maybe',
      JWT_EXPIRES_IN: '1y',
      PRINTERMASTER_DISPATCH_BATCH_SIZE: '0',
    });
    expect(problems).toEqual([
      'LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent (got "loud")',
      'PORT must be a whole number from 0 to 65535 (got "eighty")',
      'PRINTERMASTER_SOCKET_DEFLATE must be true or false (got "maybe")',
      'JWT_EXPIRES_IN must look like 3600, 15m, 12h, 1d or 1w (got "1y")',
      'PRINTERMASTER_DISPATCH_BATCH_SIZE must be a whole number from 1 to 10000 (got "0")',
    ]);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/invalid configuration:\n {2}- PORT must be/);
  });

  it('refuses fractions and values past the bounds, and reads whole numbers as Number() does', () => {
    expect(problemsOf({ PORT: '3001.5' })).toEqual(['PORT must be a whole number from 0 to 65535 (got "3001.5")']);
    expect(problemsOf({ PORT: '65536' })).toHaveLength(1);
    expect(loadConfig({ PORT: ' 65535 ' }).http.port).toBe(65_535);
    expect(loadConfig({ PRINTERMASTER_JOB_TTL_S: '1e3' }).jobs.defaultTtlMs).toBe(1_000_000);
  });

  it('treats a blank value as unset', () => {
    expect(loadConfig({ PORT: '  ', CORS_ORIGINS: '' })).toMatchObject({ http: { port: 3001 }, corsOrigins: ['*'] });
  });

  it('reads booleans written true/false, 1/0, yes/no or on/off in any case', () => {
    for (const text of ['1', 'TRUE', 'Yes', 'on']) {
      expect(loadConfig({ PRINTERMASTER_TRUST_PROXY: text }).http.trustProxy, text).toBe(true);
    }
    for (const text of ['0', 'False', 'NO', 'off']) {
      expect(loadConfig({ PRINTERMASTER_SOCKET_DEFLATE: text }).socket.perMessageDeflate, text).toBe(false);
    }
  });

  it('never echoes the value of a secret', () => {
    const problems = problemsOf({
      DATABASE_URL: 'mysql://app:hunter2@db.internal/app',
      REDIS_URL: 'http://:hunter3@redis.internal',
      JWT_SECRET: 'hunter4',
    });
    expect(problems).toEqual([
      'DATABASE_URL must be a postgres:// or postgresql:// URL',
      'REDIS_URL must be a redis:// or rediss:// URL',
      'JWT_SECRET must be at least 32 characters',
    ]);
  });

  it('names a placeholder secret, short or long', () => {
    expect(problemsOf({ JWT_SECRET: 'changeme' })).toEqual([
      'JWT_SECRET must be at least 32 characters',
      'JWT_SECRET is a placeholder; generate one with `openssl rand -base64 48`',
    ]);
    expect(problemsOf({ JWT_SECRET: 'your-secret-key-which-is-long-enough-1234' })).toEqual([
      'JWT_SECRET is a placeholder; generate one with `openssl rand -base64 48`',
    ]);
  });

  it('checks each CORS origin, dropping blank entries', () => {
    expect(loadConfig({ CORS_ORIGINS: ' https://a.example, ,https://b.example:8443,' }).corsOrigins).toEqual([
      'https://a.example',
      'https://b.example:8443',
    ]);
    expect(problemsOf({ CORS_ORIGINS: 'https://ok.example,https://pos.example/app,pos.example' })).toEqual([
      'CORS_ORIGINS entry "https://pos.example/app" must be an origin like https://pos.example.com (no path)',
      'CORS_ORIGINS entry "pos.example" must be an origin like https://pos.example.com (no path)',
    ]);
  });

  it('in production, requires a database, a JWT secret and explicit CORS origins, listing all three', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      'NODE_ENV=production requires DATABASE_URL (PostgreSQL; the embedded store is for development and small sites)',
      'NODE_ENV=production requires JWT_SECRET (a random secret of at least 32 characters)',
      'NODE_ENV=production requires CORS_ORIGINS (explicit origins, not *)',
    ]);
    expect(problemsOf({ ...PRODUCTION, CORS_ORIGINS: 'https://pos.example.com,*' })).toEqual([
      'NODE_ENV=production requires CORS_ORIGINS (explicit origins, not *)',
    ]);
    expect(loadConfig(PRODUCTION)).toMatchObject({ isProduction: true, corsOrigins: ['https://pos.example.com'] });
  });

  it('in production, reports a refused value once, not also as missing', () => {
    expect(problemsOf({ ...PRODUCTION, CORS_ORIGINS: 'not an origin' })).toEqual([
      'CORS_ORIGINS entry "not an origin" must be an origin like https://pos.example.com (no path)',
    ]);
  });

  it('holds a job TTL and the image limits to their maxima, once each value is acceptable on its own', () => {
    expect(
      problemsOf({
        PRINTERMASTER_JOB_TTL_S: '7200',
        PRINTERMASTER_JOB_MAX_TTL_S: '3600',
        PRINTERMASTER_MAX_IMAGE_PIXELS: '2000',
        PRINTERMASTER_MAX_JOB_IMAGE_PIXELS: '1000',
        PRINTERMASTER_MAX_IMAGE_BYTES: '2000',
        PRINTERMASTER_MAX_JOB_IMAGE_BYTES: '1000',
      }),
    ).toEqual([
      'PRINTERMASTER_JOB_TTL_S must not exceed PRINTERMASTER_JOB_MAX_TTL_S',
      'PRINTERMASTER_MAX_IMAGE_PIXELS must not exceed PRINTERMASTER_MAX_JOB_IMAGE_PIXELS',
      'PRINTERMASTER_MAX_IMAGE_BYTES must not exceed PRINTERMASTER_MAX_JOB_IMAGE_BYTES',
    ]);
    expect(problemsOf({ PRINTERMASTER_JOB_TTL_S: '99999999', PRINTERMASTER_JOB_MAX_TTL_S: '100' })).toEqual([
      'PRINTERMASTER_JOB_TTL_S must be a whole number from 1 to 2592000 (got "99999999")',
    ]);
  });

  it('fills in the defaults derived at start-up, and converts seconds to milliseconds', () => {
    const config = loadConfig({ PORT: '4000', PRINTERMASTER_PUBLIC_URL: 'https://print.example.com//' });
    expect(config.http.publicUrl).toBe('https://print.example.com');
    expect(loadConfig({ PORT: '4000' }).http.publicUrl).toBe('http://localhost:4000');
    expect(config.jobs).toMatchObject({
      defaultTtlMs: 3_600_000,
      maxTtlMs: 604_800_000,
      idempotencyWindowMs: 86_400_000,
    });
    expect(loadConfig({ PRINTERMASTER_RENDER_THREADS: '7' }).render.threads).toBe(7);
    expect(loadConfig({ PRINTERMASTER_REDIS_PREFIX: 'site-b:' }).redisPrefix).toBe('site-b:');
    expect(loadConfig({ PRINTERMASTER_DISPATCH_BATCH_SIZE: '50' }).jobs.dispatchBatchSize).toBe(50);
  });

  it('reads every memory bound from its variable, the defaults otherwise, and lists each refused one', () => {
    expect(loadConfig({}).memory).toEqual(DEFAULT_MEMORY_BOUNDS);
    const memory = loadConfig({
      PRINTERMASTER_LICENCE_CACHE_MAX: '10',
      PRINTERMASTER_DEPARTED_AGENTS_MAX: '0',
      PRINTERMASTER_DEPARTED_AGENT_KEEP_S: '30',
      PRINTERMASTER_SLOW_QUERIES_KEPT: '5',
    }).memory;
    expect(memory).toEqual({
      ...DEFAULT_MEMORY_BOUNDS,
      licenceCache: 10,
      departedAgents: 0,
      departedAgentKeepMs: 30_000,
      slowQueries: 5,
    });
    expect(problemsOf({ PRINTERMASTER_LICENCE_CACHE_MAX: '0', PRINTERMASTER_AGENT_HEALTH_SAMPLES: 'many' })).toEqual([
      'PRINTERMASTER_LICENCE_CACHE_MAX must be a whole number from 1 to 10000000 (got "0")',
      'PRINTERMASTER_AGENT_HEALTH_SAMPLES must be a whole number from 1 to 10000 (got "many")',
    ]);
  });
});
