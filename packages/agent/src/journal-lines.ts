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

export type ReportEvent = 'print:job:started' | 'print:job:completed' | 'print:job:failed' | 'print:job:unconfirmed';

const REPORT_EVENTS: readonly string[] = [
  'print:job:started',
  'print:job:completed',
  'print:job:failed',
  'print:job:unconfirmed',
];

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

/** A report to the gateway, kept until the gateway acknowledges it. */
export interface OutboxReport {
  seq: number;
  event: ReportEvent;
  /** `printerId` is absent only for a job whose record was lost in a damaged journal. */
  payload: { jobId: string; printerId?: string; timestamp: string; [key: string]: unknown };
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
  | { k: 'state'; id: string; state: AgentJobState; reason?: string; at: string; report?: OutboxReport }
  | { k: 'report'; report: OutboxReport }
  | { k: 'ack'; seq: number }
  | { k: 'damage'; damage: DamageRecord }
  | { k: 'damage-reported'; at: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isText = (v: unknown): v is string => typeof v === 'string';
const isState = (v: unknown): v is AgentJobState => AGENT_JOB_STATES.includes(v as AgentJobState);

function isReport(v: unknown): v is OutboxReport {
  return (
    isObject(v) &&
    Number.isSafeInteger(v.seq) &&
    REPORT_EVENTS.includes(v.event as string) &&
    isObject(v.payload) &&
    isText(v.payload.jobId) &&
    (v.payload.printerId === undefined || isText(v.payload.printerId))
  );
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
    case 'state':
      return isText(v.id) && isState(v.state) && isText(v.at) && (v.report === undefined || isReport(v.report))
        ? (v as JournalLine)
        : undefined;
    case 'report':
      return isReport(v.report) ? (v as JournalLine) : undefined;
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

/** The report announcing `event` for `job`, numbered `seq`. */
export function buildReport(
  seq: number,
  job: JournalJob,
  event: ReportEvent,
  reason: string | undefined,
  at: string,
  extra: Record<string, unknown> = {},
): OutboxReport {
  return {
    seq,
    event,
    payload: {
      jobId: job.id,
      ...(job.printerId ? { printerId: job.printerId } : {}),
      timestamp: at,
      ...(reason !== undefined ? reasonField(event, reason) : {}),
      ...extra,
    },
  };
}

function reasonField(report: ReportEvent, reason: string): Record<string, unknown> {
  if (report === 'print:job:failed') return { error: reason };
  if (report === 'print:job:unconfirmed') return { reason };
  return {};
}
