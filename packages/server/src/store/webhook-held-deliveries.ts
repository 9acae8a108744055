/**
 * The `next_attempt_at` of a disabled endpoint's pending deliveries. The claim finds due
 * deliveries through an index on `next_attempt_at`; were a disabled endpoint's deliveries due,
 * every claim would walk all of them (hours of a busy company's events after an automatic
 * disable) only to skip them. Parked past any real time, they cost nothing until `enable` makes
 * them due again. Read back as "no next attempt" (WebhookDeliveryView.nextAttemptAt null).
 */
export const HELD_UNTIL = new Date('9999-12-31T00:00:00.000Z');

/** Whether a delivery's `next_attempt_at` is the parked value, not a time to try it. */
export function isHeld(nextAttemptAt: Date): boolean {
  return nextAttemptAt.getTime() >= HELD_UNTIL.getTime();
}
