import type { WebhookRequest } from './ports/webhook-sender.js';
import { SIGNATURE_HEADER, signatureHeader, signingSecrets } from './webhook-signature.js';

/** The JSON body of every delivery (docs/webhooks.md). */
export interface WebhookPayload {
  /** `evt_<events.id>`: the same for every attempt and redelivery of one event. */
  id: string;
  /** The event's position in the feed (`GET /printing/events`); null for a ping. */
  seq: string | null;
  type: string;
  /** When the event happened (ISO 8601). */
  createdAt: string;
  companyId: string;
  branchId: string | null;
  data: Record<string, unknown>;
}

/** The request that delivers `payload` to `endpoint` at `now` (Unix ms), signed with its current secrets. */
export function webhookRequest(
  endpoint: { url: string; secret: string; previousSecret: string | null; previousSecretUntil: Date | null },
  payload: WebhookPayload,
  meta: { deliveryId: string; attempt: number; version: string },
  now: number,
): WebhookRequest {
  const body = JSON.stringify(payload);
  const timestampS = Math.floor(now / 1000);
  return {
    url: endpoint.url,
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': `PrinterMaster-Webhooks/${meta.version}`,
      'printermaster-event-id': payload.id,
      'printermaster-event-type': payload.type,
      'printermaster-delivery-id': meta.deliveryId,
      'printermaster-delivery-attempt': String(meta.attempt),
      [SIGNATURE_HEADER.toLowerCase()]: signatureHeader(body, timestampS, signingSecrets(endpoint, now)),
    },
  };
}

/** Whether an answer's status counts as delivered: any 2xx. */
export function isDelivered(statusCode: number | null): boolean {
  return statusCode !== null && statusCode >= 200 && statusCode < 300;
}
