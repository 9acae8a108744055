import { list, text } from './setting-kinds.js';

const PLACEHOLDER_SECRET = /^(change.?me|secret|your[-_].*|example.*)$/i;

/** Web users' tokens and browser origins. */
export const SECURITY_SETTINGS = {
  jwtSecret: text({
    name: 'JWT_SECRET',
    group: 'security',
    description:
      'HS256 secret for web users’ JWTs, at least 32 characters; unset in development = generated once and kept in the store',
    default: undefined,
    minLength: 32,
    rule: 'must be at least 32 characters',
    bounds: 'at least 32 characters, not a placeholder',
    refuse: (value) =>
      PLACEHOLDER_SECRET.test(value)
        ? 'JWT_SECRET is a placeholder; generate one with `openssl rand -base64 48`'
        : undefined,
    secret: true,
    production: { requirement: 'JWT_SECRET (a random secret of at least 32 characters)' },
  }),
  jwtExpiresIn: text({
    name: 'JWT_EXPIRES_IN',
    group: 'security',
    description: 'Lifetime of tokens minted by `printermaster admin token`',
    default: '1d',
    type: 'duration',
    pattern: /^\d+[smhdw]?$/,
    rule: 'must look like 3600, 15m, 12h, 1d or 1w',
    bounds: 'seconds, or a number with s, m, h, d or w',
  }),
  corsOrigins: list({
    name: 'CORS_ORIGINS',
    group: 'security',
    description: 'Comma-separated allowed browser origins; `*` (development default) allows any',
    default: ['*'],
    item: {
      pattern: /^(\*|https?:\/\/[^/\s]+)$/,
      rule: 'must be an origin like https://pos.example.com (no path)',
    },
    bounds: 'origins like https://pos.example.com, or *',
    production: { requirement: 'CORS_ORIGINS (explicit origins, not *)', accepts: (origins) => !origins.includes('*') },
  }),
} as const;
