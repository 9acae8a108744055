import type { EnvValues } from './env-setting.js';
import { flag, integer } from './setting-kinds.js';

/** Webhook deliveries: the worker, retries, disabling, and which targets may be called (docs/webhooks.md). */
export const WEBHOOK_SETTINGS = {
  webhookAllowPrivate: flag({
    name: 'PRINTERMASTER_WEBHOOK_ALLOW_PRIVATE',
    group: 'webhooks',
    description:
      'Allow webhook URLs that are or resolve to private, loopback, link-local and other internal addresses (off: such URLs are refused at registration and at every delivery; turn on only for receivers inside your own network, or tests)',
    default: false,
  }),
  webhookWorker: flag({
    name: 'PRINTERMASTER_WEBHOOK_WORKER',
    group: 'webhooks',
    description: 'Deliver webhooks from this process (several processes share the work; each delivery is sent by one)',
    default: true,
  }),
  webhookPollIntervalMs: integer({
    name: 'PRINTERMASTER_WEBHOOK_POLL_INTERVAL_MS',
    group: 'webhooks',
    description: 'How often the delivery worker looks for due deliveries when it had nothing to do',
    default: 250,
    min: 10,
    max: 60_000,
    unit: 'ms',
  }),
  webhookTimeoutMs: integer({
    name: 'PRINTERMASTER_WEBHOOK_TIMEOUT_MS',
    group: 'webhooks',
    description: 'Longest a webhook request may take, from connecting to the end of the answer read (4 KB at most)',
    default: 10_000,
    min: 100,
    max: 60_000,
    unit: 'ms',
  }),
  webhookConcurrency: integer({
    name: 'PRINTERMASTER_WEBHOOK_CONCURRENCY',
    group: 'webhooks',
    description: 'Webhook requests in flight at once on this process',
    default: 256,
    min: 1,
    max: 1_000,
  }),
  webhookEndpointConcurrency: integer({
    name: 'PRINTERMASTER_WEBHOOK_ENDPOINT_CONCURRENCY',
    group: 'webhooks',
    description:
      'Webhook requests in flight at once to one endpoint, per process: events of one job go one at a time, so the deliveries per second to an endpoint are about this over its round trip',
    default: 128,
    min: 1,
    max: 1_000,
  }),
  webhookRetryBaseMs: integer({
    name: 'PRINTERMASTER_WEBHOOK_RETRY_BASE_MS',
    group: 'webhooks',
    description:
      'Wait before the first retry of a failed delivery; it doubles with each retry (with jitter: half fixed, half random)',
    default: 5_000,
    min: 10,
    max: 3_600_000,
    unit: 'ms',
  }),
  webhookRetryCapMs: integer({
    name: 'PRINTERMASTER_WEBHOOK_RETRY_CAP_MS',
    group: 'webhooks',
    description: 'Longest wait between two attempts of a delivery',
    default: 1_800_000,
    min: 10,
    max: 86_400_000,
    unit: 'ms',
  }),
  webhookGiveUpAfterMs: integer({
    name: 'PRINTERMASTER_WEBHOOK_GIVE_UP_AFTER_MS',
    group: 'webhooks',
    description:
      'A delivery still failing this long after its first attempt is given up (state `failed`; it can be redelivered)',
    default: 86_400_000,
    min: 1_000,
    max: 7 * 86_400_000,
    unit: 'ms',
  }),
  webhookDisableAfterFailures: integer({
    name: 'PRINTERMASTER_WEBHOOK_DISABLE_AFTER_FAILURES',
    group: 'webhooks',
    description: 'An endpoint is disabled after at least this many failed attempts in a row (any delivery) …',
    default: 20,
    min: 1,
    max: 1_000_000,
  }),
  webhookDisableAfterMs: integer({
    name: 'PRINTERMASTER_WEBHOOK_DISABLE_AFTER_MS',
    group: 'webhooks',
    description: '… that have gone on, without a success, for at least this long',
    default: 43_200_000,
    min: 0,
    max: 30 * 86_400_000,
    unit: 'ms',
  }),
} as const;

/** The webhook settings, in ms. */
export interface WebhookConfig {
  allowPrivate: boolean;
  worker: boolean;
  pollIntervalMs: number;
  timeoutMs: number;
  concurrency: number;
  endpointConcurrency: number;
  retryBaseMs: number;
  retryCapMs: number;
  giveUpAfterMs: number;
  disableAfterFailures: number;
  disableAfterMs: number;
}

export function toWebhookConfig(v: EnvValues<typeof WEBHOOK_SETTINGS>): WebhookConfig {
  return {
    allowPrivate: v.webhookAllowPrivate,
    worker: v.webhookWorker,
    pollIntervalMs: v.webhookPollIntervalMs,
    timeoutMs: v.webhookTimeoutMs,
    concurrency: v.webhookConcurrency,
    endpointConcurrency: v.webhookEndpointConcurrency,
    retryBaseMs: v.webhookRetryBaseMs,
    retryCapMs: v.webhookRetryCapMs,
    giveUpAfterMs: v.webhookGiveUpAfterMs,
    disableAfterFailures: v.webhookDisableAfterFailures,
    disableAfterMs: v.webhookDisableAfterMs,
  };
}
