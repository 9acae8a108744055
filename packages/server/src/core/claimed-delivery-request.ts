import type { WebhookRequest } from './ports/webhook-sender.js';
import type { ClaimedDelivery } from './ports/webhook-store.js';
import { webhookRequest } from './webhook-request.js';

/**
 * The signed request of one attempt of a claimed delivery: the event's envelope (`evt_<id>`,
 * its seq and type, data as stored) with the delivery's id and attempt number in the headers,
 * signed at `sentAt` (Unix ms) with the endpoint's secrets. `version` goes in the User-Agent.
 */
export function claimedDeliveryRequest(delivery: ClaimedDelivery, version: string, sentAt: number): WebhookRequest {
  const { event } = delivery;
  return webhookRequest(
    delivery.endpoint,
    {
      id: `evt_${event.id}`,
      seq: event.seq,
      type: event.type,
      createdAt: new Date(delivery.eventCreatedAt).toISOString(),
      companyId: delivery.companyId,
      branchId: event.branchId,
      data: event.data,
    },
    { deliveryId: delivery.id, attempt: delivery.attempt, version },
    sentAt,
  );
}
