import type { ServiceHours } from './service-hours.js';

/**
 * What the admin API (docs/admin-api.md, docs/credentials.md, docs/webhooks.md) answers with, as
 * the gateway builds it and the dashboard reads it. Times are ISO 8601 strings; `null` stands for
 * "not set" (never expires, never used…). Secrets never appear in these views: a licence key, an
 * API key or a webhook secret is shown once, beside the view, in the answer that creates it.
 */

/** `active` or `suspended` (deactivated: its users, keys and agents are refused). */
export type TenantStatus = 'active' | 'suspended';

export interface CompanyView {
  id: string;
  name: string;
  status: TenantStatus;
  createdAt: string;
}

export interface BranchView {
  id: string;
  companyId: string;
  name: string;
  status: TenantStatus;
  /** When it serves guests (`PATCH /admin/branches/:id`); null: none set, service alerts fire at any hour. */
  serviceHours: ServiceHours | null;
  createdAt: string;
}

export type LicenceStatus = 'active' | 'suspended' | 'revoked' | 'expired';

/** A licence: never its key or key hashes. */
export interface LicenceView {
  id: string;
  companyId: string;
  branchId: string;
  /** Last 4 characters of the current key. */
  keyHint: string;
  status: LicenceStatus;
  expiresAt: string | null;
  /** The device it is bound to (when issued, or by `POST /admin/licences/:id/bind`); null: any device may use it. */
  boundDeviceId: string | null;
  maxPrinters: number;
  features: string[];
  lastValidatedAt: string | null;
  createdAt: string;
  /** While the key replaced by the last rotation is still accepted: when it stops being; else null. */
  previousKeyValidUntil: string | null;
}

/** A webhook endpoint: never its secrets. */
export interface WebhookView {
  id: string;
  companyId: string;
  /** Only events of this branch are delivered; null for every branch of the company. */
  branchId: string | null;
  url: string;
  description: string | null;
  /** Event type patterns: `job.completed`, `job.*`, `*`, … */
  events: string[];
  /** `disabled` by a person or after failing for too long (`disabledReason` says which). */
  status: 'active' | 'disabled';
  disabledReason: string | null;
  /** Failed attempts since the last success, over every delivery of the endpoint. */
  consecutiveFailures: number;
  /** When the current run of failures began; null after a success. */
  failingSince: string | null;
  /** While the secret replaced by the last rotation still signs deliveries: until when; else null. */
  previousSecretUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One attempt to deliver an event to an endpoint. */
export interface WebhookAttemptView {
  /** 1 for the first attempt. */
  attempt: number;
  /** The HTTP status of the answer; null when none came (refused, timeout, connection error). */
  statusCode: number | null;
  /** Milliseconds from sending to the answer (or to giving up). */
  latencyMs: number;
  error: string | null;
  /** The start of the answer's body, for support. */
  responseSnippet: string | null;
  gatewayInstance: string;
  at: string;
}

/** One event's delivery to one endpoint, with its attempts (`GET /admin/webhooks/:id/deliveries`). */
export interface WebhookDeliveryView {
  id: string;
  /** `evt_<seq>`: the event id the receiver sees. */
  eventId: string;
  eventType: string;
  /** The job, printer, agent or licence the event is about. */
  subjectId: string;
  /** `failed` once retries ran out; a person may redeliver it. */
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  firstAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
  attemptLog: WebhookAttemptView[];
}

/**
 * A station (docs/api.md#stations): a place in the kitchen with an ordered list of its branch's
 * printers. A job naming the station prints on the first of them that is ready.
 */
export interface StationView {
  id: string;
  companyId: string;
  branchId: string;
  /** Unique in its branch. */
  name: string;
  /** 1 to 10 different printers of the station's branch, first choice first. */
  printerIds: string[];
  createdAt: string;
  updatedAt: string;
}
