import type { JobState, JobType, OpenJobState } from '@printermaster/protocol';

export interface PrintJob {
  id: string;
  companyId: string;
  branchId: string;
  printerId: string;
  state: JobState;
  type: JobType;
  /** 1–10, higher first. */
  priority: number;
  copies: number;
  byteLength: number;
  orderData: Record<string, unknown> | null;
  idempotencyKey: string | null;
  reprintOf: string | null;
  /** The station it was sent to (its `printerId` is the station's printer it is on now); null: sent to a printer. */
  stationId: string | null;
  /** The agent the job was first sent to; later re-sends go to the same agent only. */
  deviceId: string | null;
  reason: string | null;
  /** How many times the gateway has sent it. */
  attempts: number;
  usefulUntil: Date;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

export interface PrintJobWithContent extends PrintJob {
  content: Uint8Array;
}

export interface PrintJobEvent {
  jobId: string;
  fromState: JobState | null;
  toState: JobState;
  /** `gateway`, `agent:<deviceId>` or `user:<userId>` (job-state-machine.ts jobEventActor). */
  actor: string;
  reason: string | null;
  createdAt: Date;
}

export interface NewPrintJob {
  id: string;
  companyId: string;
  branchId: string;
  printerId: string;
  type: JobType;
  priority: number;
  copies: number;
  content: Uint8Array;
  orderData: Record<string, unknown> | null;
  reprintOf: string | null;
  /** The station it is sent to; absent or null: a printer. */
  stationId?: string | null;
  usefulUntil: Date;
  /** Millisecond precision, so that list cursors (which carry ms) compare exactly. */
  createdAt: Date;
  actor: string;
}

/** One failover of a station's waiting jobs from a printer that stopped being ready (moveStationJobs). */
export interface StationMove {
  stationId: string;
  fromPrinterId: string;
  toPrinterId: string;
  /** ESC/POS bytes put in front of each job's content: the "MOVED FROM …" line. */
  prefix: Uint8Array;
  reason: string;
}

export interface IdempotencyClaim {
  key: string;
  /** SHA-256 of the canonical request; the same key with another hash is a conflict. */
  requestHash: string;
  /** Keys older than this are forgotten before the claim. */
  notBefore: Date;
}

export type InsertResult =
  | { created: true; job: PrintJob }
  /** The key was already used: the job it created, and the hash it was used with. */
  | { created: false; job: PrintJob; requestHash: string };

export interface PrintJobListFilter {
  companyId?: string;
  branchId?: string;
  printerId?: string;
  states?: JobState[];
  createdAfter?: Date;
  createdBefore?: Date;
  /** Opaque cursor from a previous page. */
  cursor?: { createdAt: Date; id: string };
  limit: number;
}

/** One page of the job history as CSV records (PrintJobStore.csvPage). */
export interface PrintJobCsvPage {
  /** The page's records, CRLF-ended, exactly as core/csv.ts csvRow writes printJobCsvCells of each job. */
  csv: string;
  /** How many records `csv` holds. */
  rows: number;
  /** The page's last job, where the next page starts (absent when the page is empty). */
  last?: { createdAt: Date; id: string };
}

/**
 * What a state change does besides setting the state, and the guards it must pass. Planned by
 * the job state machine (job-state-machine.ts planJobMove) from the transition's rule.
 */
export interface TransitionPatch {
  /** Move the job only if it belongs to this branch (an agent's report about its own branch's job). */
  onlyInBranch?: string;
  /**
   * When `from` includes `unconfirmed`, move an `unconfirmed` job only if its reason is this one:
   * the gateway's own "outcome unknown", which the agent's late report may still correct. An
   * `unconfirmed` said by the agent itself stays final.
   */
  unconfirmedReason?: string;
  /**
   * Move the job only while this licence (id) is active and not past its expiry: a job is never
   * marked `sent` to an agent whose licence was taken back, even in the moment before its socket closes.
   */
  onlyWithActiveLicence?: string;
  /** The job's new reason; `null` clears it, absent keeps it. */
  reason?: string | null;
  deviceId?: string;
  incrementAttempts?: boolean;
  completedAt?: Date;
}

/**
 * Durable print jobs and their event history. Every state change writes an event in the same
 * statement. The store applies the moves it is given, conditionally on the job's current state;
 * which moves exist, and who may make them, is the job state machine's (job-state-machine.ts),
 * and the core makes them through JobLifecycle only.
 */
export interface PrintJobStore {
  /**
   * Stores a new job in `queued` with its creation event. With `idempotency`, the
   * key is claimed in the same transaction; if it was claimed before (within the
   * window), nothing is stored and the earlier job is returned.
   */
  insert(job: NewPrintJob, idempotency?: IdempotencyClaim): Promise<InsertResult>;
  find(id: string): Promise<PrintJob | undefined>;
  findWithContent(id: string): Promise<PrintJobWithContent | undefined>;
  events(id: string): Promise<PrintJobEvent[]>;
  list(filter: PrintJobListFilter): Promise<PrintJob[]>;
  /**
   * The jobs `list(filter)` returns, as one string of CSV records (core/print-job-csv-columns.ts),
   * so that an export holds one string per page rather than an object per job.
   */
  csvPage(filter: PrintJobListFilter): Promise<PrintJobCsvPage>;
  /**
   * Moves the job to `to` only if its state is one of `from` and the patch's guards hold; records
   * the event with `actor` and the patch's reason. Returns the updated job and the state it left,
   * or `undefined` when it did not move (another process got there first, the report is a
   * duplicate, a guard failed). Changes issued together may share a statement; two changes of
   * one job are applied in the order they were issued.
   */
  transition(
    id: string,
    from: readonly JobState[],
    to: JobState,
    actor: string,
    patch?: TransitionPatch,
  ): Promise<{ job: PrintJob; from: JobState } | undefined>;
  /**
   * Jobs waiting to be (re)sent in a branch (DISPATCHABLE_JOB_STATES: `queued` and `sent`), in dispatch
   * order: priority (higher first), then age. With content. `exclude`: ids to leave out
   * (jobs already in flight to an agent).
   */
  pendingForBranch(branchId: string, limit: number, exclude?: readonly string[]): Promise<PrintJobWithContent[]>;
  /** Whether the branch has `queued` or `sent` jobs (asked on every agent connect; may be batched). */
  hasPending(branchId: string): Promise<boolean>;
  /** Whether the branch has `queued` or `sent` jobs other than `exceptId`. */
  hasOtherPending(branchId: string, exceptId: string): Promise<boolean>;
  /**
   * The state machine's `expire` sweep: moves up to `limit` `queued` jobs (never sent to an agent)
   * whose useful-until time is before `now` to `expired`, by the gateway, with `reason`; returns
   * them. A job that left the gateway is never expired: only its agent knows whether it printed.
   * Jobs another process is changing are left for the next sweep.
   */
  expireDue(now: Date, reason: string, limit: number): Promise<PrintJob[]>;
  /**
   * The state machine's `giveUpOnOutcome` sweep: moves up to `limit` jobs delivered to an agent
   * (`sent`, `accepted`, `printing`) whose useful-until time is before `usefulUntilBefore` and
   * that no report has ended to `unconfirmed`, by the gateway, with `reason`; returns them with
   * the state each left. Jobs another process is changing are left for the next sweep.
   */
  unconfirmOverdue(
    usefulUntilBefore: Date,
    reason: string,
    limit: number,
  ): Promise<{ job: PrintJob; from: JobState }[]>;
  /**
   * Station failover: moves the station's jobs still `queued` for `fromPrinterId` to
   * `toPrinterId`, putting `prefix` in front of each one's content; each move is a job event (queued
   * to queued, by the gateway, with `reason`) and a `job.moved` event. Returns the jobs moved.
   */
  moveStationJobs(move: StationMove): Promise<PrintJob[]>;
  /** The jobs moved away from `printerId` since the last call (its recovery notice), oldest first. */
  takeMovedFrom(printerId: string): Promise<PrintJob[]>;
  /**
   * The `unconfirmForReplacedAgent` move: the branch's jobs that `deviceId` was sent and has not
   * ended (`sent`, `accepted`, `printing`) become `unconfirmed` with `reason`, up to `limit`;
   * returns them with the state each left.
   */
  unconfirmForDevice(
    branchId: string,
    deviceId: string,
    reason: string,
    limit: number,
  ): Promise<{ job: PrintJob; from: JobState }[]>;
  /** Forgets idempotency keys created before `before`; returns how many. */
  purgeIdempotencyKeys(before: Date): Promise<number>;
  /**
   * Jobs in each open state, every open state present (0 when none). Its cost follows the open jobs,
   * not the history: a scrape of `/metrics` asks it, and a million finished jobs must not slow that.
   */
  countOpenByState(): Promise<Record<OpenJobState, number>>;
}
