import { isoTime } from '@printermaster/protocol';
import type { LicenceChange, License } from './ports/license-store.js';
import type { OutboxEvent } from './ports/outbox-event.js';

/**
 * The outbox event of a licence change, as webhooks deliver it and the event feed replays it:
 * `licence.<change>`, ordered per licence. Its data names the licence's state after the change,
 * never its key or key hash.
 */
export function licenceEvent(license: License, change: LicenceChange): OutboxEvent {
  return {
    companyId: license.companyId,
    branchId: license.branchId,
    type: `licence.${change}`,
    subjectId: license.id,
    data: {
      licenceId: license.id,
      companyId: license.companyId,
      branchId: license.branchId,
      status: license.status,
      keyHint: license.keyHint,
      boundDeviceId: license.boundDeviceId,
      expiresAt: license.expiresAt && isoTime(license.expiresAt.getTime()),
      previousKeyValidUntil: license.previousKeyValidUntil && isoTime(license.previousKeyValidUntil.getTime()),
    },
  };
}
