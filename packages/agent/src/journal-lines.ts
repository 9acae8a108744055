/** The states a job has on the agent. */
export type AgentJobState = 'accepted' | 'printing' | 'completed' | 'failed' | 'unconfirmed';

export const AGENT_JOB_STATES: readonly AgentJobState[] = [
  'accepted',
  'printing',
  'completed',
  'failed',
  'unconfirmed',
];

export const FINAL_AGENT_STATES: readonly AgentJobState[] = ['completed', 'failed', 'unconfirmed'];

/** The states a job moves to after `accepted`; the gateway is told of each. */
export type ReportedState = Exclude<AgentJobState, 'accepted'>;

const REPORTED_STATES: readonly string[] = ['printing', 'completed', 'failed', 'unconfirmed'];

/** A job as the agent keeps it. `content` is dropped once the job is final. */
export interface JournalJob {
  id: string;
  printerId: string;
  printerName: string;
  /** Base64 ESC/POS; empty once the job is final. */
  content: string;
  type: string;
  priority: number;
  copies: number;
  /** ISO 8601; never start printing after it. */
  usefulUntil: string;
  printer: { connection: string; ip?: string; port?: number; systemName?: string };
  state: AgentJobState;
  reason?: string;
  /** ISO 8601. */
  receivedAt: string;
  /** ISO 8601. */
  updatedAt: string;
}

/**
 * A job's move to a new state, kept until the gateway has recorded it (the journal's outbox).
 * How it travels is the outbox's business; the journal keeps only the fact.
 */
export interface JobReport {
  /** Order of the reports; a job's reports go out in this order. */
  seq: number;
  jobId: string;
  /** Absent only for a job whose record was lost in a damaged journal. */
  printerId?: string;
  state: ReportedState;
  /** ISO 8601 time of the move. */
  at: string;
  /** Why the job failed or is unconfirmed. */
  reason?: string;
  /** `completed`: milliseconds the print took, from asking the printer's status to its confirmation. */
  durationMs?: number;
}

/**
 * A damaged journal found at start-up: the file was moved aside and every readable entry kept.
 * Jobs whose entries may have been lost were made `unconfirmed`; jobs created before `at` that
 * the gateway sends again, unknown to the journal, may have printed and are not printed.
 */
export interface DamageRecord {
  /** ISO 8601 time the damage was found. */
  at: string;
  /** File name of the damaged journal, kept beside the new one. */
  file: string;
  /** 1-based numbers of the lines that could not be read. */
  lines: number[];
  /** Entries recovered from the damaged file. */
  recoveredEntries: number;
  /** Jobs made `unconfirmed` because their entries may have been lost. */
  unconfirmedJobIds: string[];
  /** The gateway acknowledged the notice. */
  reported: boolean;
}

export type JournalLine =
  | { k: 'job'; job: JournalJob }
  | { k: 'state'; id: string; state: AgentJobState; reason?: string; at: string; report?: JobReport }
  | { k: 'report'; report: JobReport }
  | { k: 'ack'; seq: number }
  | { k: 'damage'; damage: DamageRecord }
  | { k: 'damage-reported'; at: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isText = (v: unknown): v is string => typeof v === 'string';
const isState = (v: unknown): v is AgentJobState => AGENT_JOB_STATES.includes(v as AgentJobState);

const isOptionalText = (v: unknown): v is string | undefined => v === undefined || isText(v);

function parseReport(v: unknown): JobReport | undefined {
  if (!isObject(v) || !Number.isSafeInteger(v.seq)) return undefined;
  if (v.event !== undefined) return parseFirstFormatReport(v);
  if (!isText(v.jobId) || !isOptionalText(v.printerId) || !REPORTED_STATES.includes(v.state as string))
    return undefined;
  if (!isText(v.at) || !isOptionalText(v.reason)) return undefined;
  if (v.durationMs !== undefined && !Number.isFinite(v.durationMs)) return undefined;
  return v as unknown as JobReport;
}

/**
 * Journals written before reports were kept as facts named each report by the socket event
 * that carried it, with that event's payload. They are still read, so that reports left
 * unsent by an agent of that version are sent after the upgrade and no line of them counts
 * as damage.
 */
const FIRST_FORMAT_STATES: Readonly<Record<string, ReportedState>> = {
  'print:job:started': 'printing',
  'print:job:completed': 'completed',
  'print:job:failed': 'failed',
  'print:job:unconfirmed': 'unconfirmed',
};

function parseFirstFormatReport(v: Record<string, unknown>): JobReport | undefined {
  const state = typeof v.event === 'string' ? FIRST_FORMAT_STATES[v.event] : undefined;
  const p = v.payload;
  if (!state || !isObject(p) || !isText(p.jobId) || !isOptionalText(p.printerId)) return undefined;
  const reason = state === 'failed' ? p.error : state === 'unconfirmed' ? p.reason : undefined;
  return {
    seq: v.seq as number,
    jobId: p.jobId,
    ...(p.printerId !== undefined ? { printerId: p.printerId } : {}),
    state,
    at: isText(p.timestamp) ? p.timestamp : '',
    ...(isText(reason) ? { reason } : {}),
    ...(typeof p.processingTime === 'number' ? { durationMs: p.processingTime } : {}),
  };
}

function isJob(v: unknown): v is JournalJob {
  return (
    isObject(v) &&
    isText(v.id) &&
    isText(v.printerId) &&
    isText(v.content) &&
    isText(v.usefulUntil) &&
    isObject(v.printer) &&
    isState(v.state) &&
    isText(v.receivedAt) &&
    isText(v.updatedAt)
  );
}

/**
 * One line of the journal file, or `undefined` when it is not one: not JSON, or JSON of
 * another shape (a line torn and glued to the next one can still parse).
 */
export function parseJournalLine(raw: string): JournalLine | undefined {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isObject(v)) return undefined;
  switch (v.k) {
    case 'job':
      return isJob(v.job) ? (v as JournalLine) : undefined;
    case 'state': {
      if (!isText(v.id) || !isState(v.state) || !isText(v.at)) return undefined;
      if (v.report === undefined) return v as JournalLine;
      const report = parseReport(v.report);
      return report ? ({ ...v, report } as JournalLine) : undefined;
    }
    case 'report': {
      const report = parseReport(v.report);
      return report ? { k: 'report', report } : undefined;
    }
    case 'ack':
      return Number.isSafeInteger(v.seq) ? (v as JournalLine) : undefined;
    case 'damage':
      return isObject(v.damage) && isText(v.damage.at) && isText(v.damage.file) ? (v as JournalLine) : undefined;
    case 'damage-reported':
      return isText(v.at) ? (v as JournalLine) : undefined;
    default:
      return undefined;
  }
}

/**
 * Job ids named in a line that could not be read, as far as the text shows them: a damaged
 * line usually still holds the id near its start, and any job it names may have lost an entry.
 */
export function idsInDamagedLine(raw: string): { jobIds: string[]; printerId: string | undefined } {
  const jobIds = new Set<string>();
  for (const m of raw.matchAll(/"(?:id|jobId)":"([^"\\]{1,128})"/g)) jobIds.add(m[1] as string);
  const printer = /"printerId":"([^"\\]{1,128})"/.exec(raw);
  return { jobIds: [...jobIds], printerId: printer?.[1] };
}

/** The report of `job`'s move to `state`, numbered `seq`. */
export function buildReport(
  seq: number,
  job: JournalJob,
  state: ReportedState,
  reason: string | undefined,
  at: string,
  durationMs?: number,
): JobReport {
  return {
    seq,
    jobId: job.id,
    ...(job.printerId ? { printerId: job.printerId } : {}),
    state,
    at,
    ...(reason !== undefined && (state === 'failed' || state === 'unconfirmed') ? { reason } : {}),
    ...(durationMs !== undefined ? { durationMs } : {}),
  };
}
