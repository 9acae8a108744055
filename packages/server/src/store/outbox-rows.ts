import type { Insertable } from 'kysely';
import type { OutboxEvent } from '../core/ports/outbox-event.js';
import type { EventTable } from './database-schema.js';

/**
 * An outbox event as a row of `events`, for stores that write one in the transaction of their
 * change (`trx.insertInto('events').values(outboxRow(e))`). The sequencer gives it its `seq`.
 */
export function outboxRow(event: OutboxEvent): Insertable<EventTable> {
  return {
    companyId: event.companyId,
    branchId: event.branchId,
    type: event.type,
    subjectId: event.subjectId,
    data: JSON.stringify(event.data),
  };
}
