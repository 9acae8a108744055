/**
 * One outbox event once the sequencer has placed it (migration 008's `events`). `seq` is a
 * bigint as a decimal string: the feed's cursor.
 */
export interface SequencedEvent {
  /** The row id (`events.id`), a bigint as a decimal string; the wire id is `evt_<id>`. */
  id: string;
  seq: string;
  companyId: string;
  branchId: string | null;
  type: string;
  subjectId: string;
  data: Record<string, unknown>;
  createdAt: Date;
}

/** What one sequencer pass did. */
export interface SequencedBatch {
  /** Events given a seq in this pass (0: nothing was waiting). */
  count: number;
  /** The highest seq given so far, after this pass; `'0'` before the first event. */
  lastSeq: string;
  /** Webhook deliveries created for those events. */
  deliveries: number;
}

/** Which sequenced events a feed page holds. */
export interface EventListQuery {
  /** Only this company's events; undefined for every company (super admins). */
  companyId?: string;
  /** Only events of this branch. */
  branchId?: string;
  /**
   * Only these types: exact (`job.completed`) or a family (`job.*`); empty or undefined for all.
   */
  types?: readonly string[];
  /** Events with a seq above this one (a decimal bigint; `'0'` from the start). */
  afterSeq: string;
  /** At most this many, in seq order (1 or more). */
  limit: number;
}

/**
 * The event outbox as the sequencer and the feed see it. Stores write events in the transactions
 * of their changes (outboxRow); this port gives them their order and reads them back.
 */
export interface EventStore {
  /**
   * Gives the next `limit` unsequenced events (oldest id first) consecutive seq values after the
   * highest given so far, and creates a pending webhook delivery of each for every endpoint
   * whose company, branch and event filter match (disabled ones too: their deliveries wait until
   * they are enabled), all in one transaction. Passes are serialised across processes by a row
   * lock, so seq values are given in commit order: once a reader has seen seq N, no event with a
   * seq at or below N appears later.
   */
  sequence(limit: number): Promise<SequencedBatch>;
  /** Sequenced events after `afterSeq`, in seq order. */
  list(query: EventListQuery): Promise<SequencedEvent[]>;
}
