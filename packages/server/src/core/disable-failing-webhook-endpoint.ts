import type { CoreEvents } from './core-events.js';
import type { AuditLog } from './ports/audit-log.js';
import type { Logger } from './ports/logger.js';
import type { ClaimedDelivery, WebhookFailureRun, WebhookStore } from './ports/webhook-store.js';

/**
 * Disables the endpoint of `delivery` after a run of failures long enough (the caller decides,
 * see shouldDisable): an error log, the `webhookEndpointDisabled` event (a metric to alert on)
 * and the audit entry `webhook.disabled` by `gateway`. Several processes may reach the same run
 * at once: only the one whose disable took effect reports it.
 */
export async function disableFailingWebhookEndpoint(
  deps: { store: WebhookStore; audit: AuditLog; events: CoreEvents; logger: Logger },
  delivery: ClaimedDelivery,
  run: WebhookFailureRun,
  now: number,
): Promise<void> {
  const hours = ((now - run.failingSince) / 3_600_000).toFixed(1);
  const reason = `${run.consecutiveFailures} failed attempts in a row over ${hours} h`;
  if (!(await deps.store.disableEndpoint(delivery.endpointId, reason, now))) return;
  deps.events.emit('webhookEndpointDisabled');
  deps.logger.error(
    { endpointId: delivery.endpointId, companyId: delivery.companyId, consecutiveFailures: run.consecutiveFailures },
    'webhook endpoint disabled after a run of failures',
  );
  await deps.audit.record({
    companyId: delivery.companyId,
    actor: 'gateway',
    action: 'webhook.disabled',
    targetType: 'webhook_endpoint',
    targetId: delivery.endpointId,
    details: {
      reason,
      consecutiveFailures: run.consecutiveFailures,
      failingSince: new Date(run.failingSince).toISOString(),
    },
  });
}
