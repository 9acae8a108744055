/** The reasons the gateway gives its own moves of a job (job-state-machine.ts); clients see them as `reason`. */

/**
 * The reason of an `unconfirmed` that the gateway made itself: the job reached an agent, and no
 * report came by its useful-until time plus a grace period. The agent's late report corrects it.
 */
export const OUTCOME_UNKNOWN_REASON = 'delivered to the agent, outcome unknown';

/** The reason of a job held because it was too old to print when it could be sent. */
export const HELD_REASON = 'held: too old to print when it could be sent; release or cancel it';

/** The reason of a held job a person released: it is sent whatever its age, and never held again. */
export const RELEASED_REASON = 'released after it was held';

/** The reason of a job that expired before it left the gateway. */
export const EXPIRED_REASON = 'useful-until time passed before the job was sent to an agent';
