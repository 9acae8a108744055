import type { FailedAttemptPlan } from './ports/webhook-store.js';

/** When to retry a failed delivery, when to give it up, and when an endpoint has failed long enough. Times in ms. */
export interface WebhookRetrySettings {
  /** The first retry's mean wait; each further retry doubles it. */
  retryBaseMs: number;
  /** The longest wait between two attempts. */
  retryCapMs: number;
  /** A delivery still failing this long after its first attempt is given up (`failed`). */
  giveUpAfterMs: number;
  /** An endpoint is disabled after at least this many failures in a row … */
  disableAfterFailures: number;
  /** … that have gone on for at least this long (both must hold). */
  disableAfterMs: number;
}

/**
 * What follows failed attempt number `attempt` (from 1) of a delivery first tried at
 * `firstAttemptAt`: a retry after an exponential wait with "equal jitter" (half of
 * min(cap, base·2^(attempt-1)) fixed, the other half random, so retries neither stampede nor
 * come at once), the last one on the deadline `firstAttemptAt + giveUpAfterMs`; at or past the
 * deadline, giving up.
 */
export function planAfterFailure(
  settings: WebhookRetrySettings,
  attempt: number,
  firstAttemptAt: number,
  now: number,
  random: () => number,
): FailedAttemptPlan {
  const ceiling = Math.min(settings.retryCapMs, settings.retryBaseMs * 2 ** Math.min(attempt - 1, 40));
  const waitMs = Math.round(ceiling / 2 + random() * (ceiling / 2));
  // The last try falls on the deadline itself, so a delivery is retried for the whole window.
  const deadline = firstAttemptAt + settings.giveUpAfterMs;
  if (now >= deadline) return { giveUp: true };
  return { retryAt: Math.min(now + waitMs, deadline) };
}

/** Whether an endpoint's run of failures is long enough to disable it: both the count and the duration. */
export function shouldDisable(
  settings: WebhookRetrySettings,
  run: { consecutiveFailures: number; failingSince: number },
  now: number,
): boolean {
  return run.consecutiveFailures >= settings.disableAfterFailures && now - run.failingSince >= settings.disableAfterMs;
}
