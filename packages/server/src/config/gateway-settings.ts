import { CLUSTER_SETTINGS } from './cluster-settings.js';
import { CREDENTIAL_SETTINGS } from './credential-settings.js';
import type { EnvValues } from './env-setting.js';
import { EVENT_SETTINGS } from './event-settings.js';
import { HTTP_SETTINGS } from './http-settings.js';
import { JOB_SETTINGS } from './job-settings.js';
import { MEMORY_SETTINGS } from './memory-settings.js';
import { PROCESS_SETTINGS } from './process-settings.js';
import { RENDER_SETTINGS } from './render-settings.js';
import { REQUEST_SETTINGS } from './request-settings.js';
import { RETENTION_SETTINGS } from './retention-settings.js';
import { SECURITY_SETTINGS } from './security-settings.js';
import { STORE_SETTINGS } from './store-settings.js';
import { WEBHOOK_SETTINGS } from './webhook-settings.js';

/**
 * The schema of every environment variable the gateway reads (`serve`, and `migrate`, `admin`,
 * `backup`, `restore` for the store), in the order the docs list them. `loadConfig` parses
 * exactly these; the README table, docs/configuration.md and `serve --help` are printed from them.
 */
export const GATEWAY_SETTINGS = {
  ...PROCESS_SETTINGS,
  ...HTTP_SETTINGS,
  ...STORE_SETTINGS,
  ...CLUSTER_SETTINGS,
  ...SECURITY_SETTINGS,
  ...CREDENTIAL_SETTINGS,
  ...REQUEST_SETTINGS,
  ...JOB_SETTINGS,
  ...RENDER_SETTINGS,
  ...EVENT_SETTINGS,
  ...WEBHOOK_SETTINGS,
  ...RETENTION_SETTINGS,
  ...MEMORY_SETTINGS,
} as const;

/** The gateway's variables, parsed (before derived defaults are filled in). */
export type GatewayEnv = EnvValues<typeof GATEWAY_SETTINGS>;

type NumberKey = { [K in keyof GatewayEnv]: GatewayEnv[K] extends number ? K : never }[keyof GatewayEnv];

/** A rule between two settings: the value of `lower` must not exceed that of `upper`. */
export interface NotAboveRule {
  readonly lower: NumberKey;
  readonly upper: NumberKey;
}

/** Checks across variables, after each one passed its own schema. */
export const GATEWAY_CROSS_RULES: readonly NotAboveRule[] = [
  { lower: 'jobTtlS', upper: 'jobMaxTtlS' },
  { lower: 'maxImagePixels', upper: 'maxJobImagePixels' },
  { lower: 'maxImageBytes', upper: 'maxJobImageBytes' },
];
