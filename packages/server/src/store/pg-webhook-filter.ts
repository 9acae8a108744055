import { type RawBuilder, sql } from 'kysely';

/**
 * Whether an endpoint's event filter (`events`, a text[] of patterns) matches an event's `type`:
 * the exact type, `*`, or `<kind>.*`, as core's matchesEventPatterns decides it. The sequencer's
 * fan-out and redelivery share this one expression, so the two never disagree.
 */
export function webhookFilterMatches(type: RawBuilder<unknown>, events: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`(${type} = ANY (${events}) OR '*' = ANY (${events})
    OR split_part(${type}, '.', 1) || '.*' = ANY (${events}))`;
}
