import type { EnvValues } from './env-setting.js';
import { integer } from './setting-kinds.js';

/** How long finished rows are kept before the hourly purge deletes them (docs/operations.md, Retention). */
export const RETENTION_SETTINGS = {
  retentionAuditDays: integer({
    name: 'PRINTERMASTER_RETENTION_AUDIT_DAYS',
    group: 'retention',
    description: 'Audit log entries older than this many days are deleted; 0 keeps them forever',
    default: 365,
    min: 0,
    max: 36_500,
    unit: 'days',
  }),
  retentionJobsDays: integer({
    name: 'PRINTERMASTER_RETENTION_JOBS_DAYS',
    group: 'retention',
    description:
      'Print jobs in a final state (completed, failed, unconfirmed, expired, cancelled) whose last change is older than this many days are deleted with their history, and paper checks printed longer ago (each printer’s newest is kept); 0 keeps them forever',
    default: 90,
    min: 0,
    max: 36_500,
    unit: 'days',
  }),
  retentionWebhookDays: integer({
    name: 'PRINTERMASTER_RETENTION_WEBHOOK_DAYS',
    group: 'retention',
    description:
      'Finished webhook deliveries (delivered or given up) and their attempts older than this many days are deleted, then published events older than that which no delivery refers to (the event feed starts after them); 0 keeps them forever',
    default: 30,
    min: 0,
    max: 36_500,
    unit: 'days',
  }),
  retentionSessionsDays: integer({
    name: 'PRINTERMASTER_RETENTION_SESSIONS_DAYS',
    group: 'retention',
    description:
      'Agent connection sessions closed longer ago than this many days are deleted (the agent.connected/disconnected events follow PRINTERMASTER_RETENTION_WEBHOOK_DAYS); 0 keeps them forever',
    default: 30,
    min: 0,
    max: 36_500,
    unit: 'days',
  }),
  retentionDevicesDays: integer({
    name: 'PRINTERMASTER_RETENTION_DEVICES_DAYS',
    group: 'retention',
    description:
      'Agents (devices) with no connection open, whose last connection closed this many days ago, are forgotten with their health reports and sessions; one that connects again is recorded anew. 0 keeps them forever',
    default: 365,
    min: 0,
    max: 36_500,
    unit: 'days',
  }),
  retentionIntervalMs: integer({
    name: 'PRINTERMASTER_RETENTION_INTERVAL_MS',
    group: 'retention',
    description: 'Interval of the retention purge',
    default: 3_600_000,
    min: 1_000,
    max: 86_400_000,
    unit: 'ms',
  }),
  retentionBatchSize: integer({
    name: 'PRINTERMASTER_RETENTION_BATCH',
    group: 'retention',
    description: 'Rows the retention purge deletes per statement (one short transaction each), until none are left',
    default: 5_000,
    min: 1,
    max: 100_000,
  }),
} as const;

/** The retention settings: ages in days (0: never purged), the purge's interval and batch. */
export interface RetentionConfig {
  auditDays: number;
  jobsDays: number;
  webhookDays: number;
  sessionsDays: number;
  devicesDays: number;
  intervalMs: number;
  batchSize: number;
}

export function toRetentionConfig(v: EnvValues<typeof RETENTION_SETTINGS>): RetentionConfig {
  return {
    auditDays: v.retentionAuditDays,
    jobsDays: v.retentionJobsDays,
    webhookDays: v.retentionWebhookDays,
    sessionsDays: v.retentionSessionsDays,
    devicesDays: v.retentionDevicesDays,
    intervalMs: v.retentionIntervalMs,
    batchSize: v.retentionBatchSize,
  };
}
