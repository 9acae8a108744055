import { FINAL_AGENT_STATES, idsInDamagedLine, type JournalJob, type ReportedState } from './journal-lines.js';

export interface DamageInput {
  /** Jobs rebuilt from the readable lines. */
  jobs: ReadonlyMap<string, JournalJob>;
  /** Line number of each job's first entry. */
  firstLineOf: ReadonlyMap<string, number>;
  /** Jobs named by readable state lines whose own entry was not readable, with their printer if a report named it. */
  orphans: ReadonlyMap<string, string | undefined>;
  /** Lines that could not be read. */
  damaged: readonly { lineNo: number; raw: string }[];
}

/** A job to make `unconfirmed`; `printerId` is set for a job the journal no longer holds at all. */
export interface HitJob {
  id: string;
  known: boolean;
  printerId: string;
}

/**
 * The jobs a damaged journal may have lost entries of, so that none of them is printed
 * (again). A lost line may have been the one that said "printing": a job not known to have
 * ended cannot be trusted to be unprinted.
 * - A damaged line that still names a job id hits that job (known or not).
 * - A damaged line that names none hits every unfinished job whose first entry precedes it
 *   (a job's entries all follow its first one).
 * - A readable state line of a job whose first entry is gone hits that job.
 * Finished jobs stay as they are: their outcome was written, and nothing follows it.
 */
export function jobsHitByDamage(input: DamageInput): HitJob[] {
  const hits = new Map<string, HitJob>();
  const hit = (id: string, printerId: string | undefined) => {
    if (hits.has(id)) return;
    const job = input.jobs.get(id);
    if (job && FINAL_AGENT_STATES.includes(job.state)) return;
    hits.set(id, { id, known: job !== undefined, printerId: job?.printerId ?? printerId ?? '' });
  };
  for (const { lineNo, raw } of input.damaged) {
    const named = idsInDamagedLine(raw);
    if (named.jobIds.length > 0) {
      for (const id of named.jobIds) hit(id, named.printerId);
      continue;
    }
    for (const [id, firstLine] of input.firstLineOf) if (firstLine < lineNo) hit(id, undefined);
  }
  for (const [id, printerId] of input.orphans) hit(id, printerId);
  return [...hits.values()];
}

/** What the journal keeps of a job it lost: enough to answer a re-delivery and report the outcome. */
export function lostJobStub(id: string, printerId: string, at: string): JournalJob {
  return {
    id,
    printerId,
    printerName: '',
    content: '',
    type: 'receipt',
    priority: 5,
    copies: 1,
    usefulUntil: at,
    printer: { connection: 'network' },
    state: 'unconfirmed',
    receivedAt: at,
    updatedAt: at,
  };
}

export interface RecoveryInput extends DamageInput {
  /** Jobs: a readable, unacknowledged report of theirs is already in the outbox. */
  reportedJobIds: ReadonlySet<string>;
  /** When the damage was found (ISO 8601). */
  at: string;
}

/** A report to queue for the gateway after recovery. */
export interface RecoveryReport {
  job: JournalJob;
  state: ReportedState;
  reason: string | undefined;
  at: string;
}

const LOST_REASON = 'the agent journal was damaged and lost entries of this job; it may have printed';

/**
 * Adjusts the jobs rebuilt from a damaged journal (in place): every job that may have lost
 * an entry becomes `unconfirmed` (never printed again) and is reported so. Finished jobs'
 * outcomes are reported again, since a lost line may have been an unsent report; the
 * gateway takes a repeated report as a no-op.
 */
export function recoverFromDamage(input: RecoveryInput & { jobs: Map<string, JournalJob> }): {
  reports: RecoveryReport[];
  unconfirmedJobIds: string[];
} {
  const hits = jobsHitByDamage(input);
  const reports: RecoveryReport[] = [];
  const reported = new Set(input.reportedJobIds);
  for (const hit of hits) {
    const job = input.jobs.get(hit.id) ?? lostJobStub(hit.id, hit.printerId, input.at);
    input.jobs.set(hit.id, job);
    job.state = 'unconfirmed';
    job.reason = LOST_REASON;
    job.updatedAt = input.at;
    job.content = '';
    reports.push({ job, state: 'unconfirmed', reason: LOST_REASON, at: input.at });
    reported.add(hit.id);
  }
  for (const job of input.jobs.values()) {
    if (reported.has(job.id) || !FINAL_AGENT_STATES.includes(job.state)) continue;
    reports.push({ job, state: job.state as ReportedState, reason: job.reason, at: job.updatedAt });
  }
  return { reports, unconfirmedJobIds: hits.map((h) => h.id) };
}
