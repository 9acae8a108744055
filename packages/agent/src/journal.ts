import {
  closeSync,
  existsSync,
  fdatasync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/** The states a job has on the agent. */
export type AgentJobState = 'accepted' | 'printing' | 'completed' | 'failed' | 'unconfirmed';

export const FINAL_AGENT_STATES: readonly AgentJobState[] = ['completed', 'failed', 'unconfirmed'];

export type ReportEvent = 'print:job:started' | 'print:job:completed' | 'print:job:failed' | 'print:job:unconfirmed';

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
  payload: { jobId: string; printerId: string; timestamp: string; [key: string]: unknown };
}

type Line =
  | { k: 'job'; job: JournalJob }
  | { k: 'state'; id: string; state: AgentJobState; reason?: string; at: string; report?: OutboxReport }
  | { k: 'report'; report: OutboxReport }
  | { k: 'ack'; seq: number };

export interface JournalOptions {
  /** Final jobs are remembered this long (duplicate deliveries are recognised), ms. At least 24 h. */
  retentionMs?: number;
  /** Rewrite the file once it has this many lines. */
  compactAfterLines?: number;
  now?: () => number;
  /** A rewrite of the file failed (disk full, …); the journal goes on in the old file. */
  onCompactError?: (err: Error) => void;
}

interface SyncBatch {
  waiters: { resolve: () => void; reject: (err: Error) => void }[];
  done: boolean;
  error: Error | null;
}

/**
 * The agent's on-disk journal: an append-only file of JSON lines. `accept` and
 * `transition` resolve only once their line is synced to disk, so a job is on
 * disk before the gateway is told "accepted", and "printing" is on disk before
 * the first byte goes out. Syncs run off the event loop and are group-committed:
 * the lines written in one event-loop turn share one sync, and a sync under way
 * does not hold up the next one, so jobs on several printers do not queue behind
 * each other's disk flushes. Callers are released in the order their syncs started.
 * A state change and the report that announces it are one line, so a crash
 * never leaves one without the other; the report enters the outbox only once
 * the line is durable. A torn last line (crash mid-write) is ignored on replay.
 */
export class Journal {
  private readonly jobsById = new Map<string, JournalJob>();
  private readonly outbox = new Map<number, OutboxReport>();
  private nextSeq = 1;
  private fd: number;
  private lines = 0;
  private readonly path: string;
  private readonly retentionMs: number;
  private readonly compactAfterLines: number;
  private readonly now: () => number;
  /** Callers waiting for a sync that has not started yet. */
  private waiting: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private syncScheduled = false;
  private syncsInFlight = 0;
  /** Syncs started and not yet released, oldest first. */
  private readonly syncQueue: SyncBatch[] = [];
  private closed = false;
  private readonly onCompactError: ((err: Error) => void) | undefined;
  /** Outbox reports whose line is written but not yet synced. */
  private readonly notYetDurable = new Set<number>();
  private compactDue = false;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    options: JournalOptions = {},
  ) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, 'journal.log');
    this.retentionMs = Math.max(options.retentionMs ?? 48 * 3_600_000, 24 * 3_600_000);
    this.compactAfterLines = options.compactAfterLines ?? 20_000;
    this.now = options.now ?? Date.now;
    this.onCompactError = options.onCompactError;
    if (existsSync(this.path)) this.replay(readFileSync(this.path, 'utf8'));
    this.fd = openSync(this.path, 'a');
    if (this.lines > this.compactAfterLines) this.compact();
  }

  get(id: string): JournalJob | undefined {
    return this.jobsById.get(id);
  }

  jobs(): JournalJob[] {
    return [...this.jobsById.values()];
  }

  /** Reports to send: durable and not yet acknowledged, in order. */
  pendingReports(): OutboxReport[] {
    return [...this.outbox.values()].filter((r) => !this.notYetDurable.has(r.seq)).sort((a, b) => a.seq - b.seq);
  }

  /** Records a newly delivered job as `accepted`; resolves once that is on disk. The caller checked it is not known. */
  async accept(job: Omit<JournalJob, 'state' | 'receivedAt' | 'updatedAt'>): Promise<JournalJob> {
    const at = new Date(this.now()).toISOString();
    const entry: JournalJob = { ...job, state: 'accepted', receivedAt: at, updatedAt: at };
    this.append({ k: 'job', job: entry });
    this.jobsById.set(entry.id, entry);
    await this.durable();
    return entry;
  }

  /** Resolves once everything written so far is on disk (a duplicate delivery's answer waits for the first). */
  flushed(): Promise<void> {
    return this.durable();
  }

  /**
   * Moves a job to `state` and, with `report`, queues the report for the
   * gateway, in one line; resolves once it is on disk.
   */
  async transition(
    id: string,
    state: AgentJobState,
    reason?: string,
    report?: ReportEvent,
    extra: Record<string, unknown> = {},
  ): Promise<JournalJob> {
    const job = this.jobsById.get(id);
    if (!job) throw new Error(`journal has no job ${id}`);
    const at = new Date(this.now()).toISOString();
    const outboxReport: OutboxReport | undefined = report
      ? {
          seq: this.nextSeq++,
          event: report,
          payload: {
            jobId: id,
            printerId: job.printerId,
            timestamp: at,
            ...(reason !== undefined ? reasonField(report, reason) : {}),
            ...extra,
          },
        }
      : undefined;
    this.append({
      k: 'state',
      id,
      state,
      ...(reason !== undefined ? { reason } : {}),
      at,
      ...(outboxReport ? { report: outboxReport } : {}),
    });
    this.applyState(id, state, reason, at);
    if (outboxReport) {
      // In the outbox at once (a compaction must carry it), but not offered for sending until durable.
      this.outbox.set(outboxReport.seq, outboxReport);
      this.notYetDurable.add(outboxReport.seq);
    }
    try {
      await this.durable();
    } finally {
      if (outboxReport) this.notYetDurable.delete(outboxReport.seq);
    }
    return job;
  }

  /**
   * The gateway recorded this report. Not synced on its own: if the line is lost in a
   * crash the report is sent again, and the gateway treats a repeated report as a no-op.
   */
  acknowledge(seq: number): void {
    if (!this.outbox.has(seq)) return;
    this.append({ k: 'ack', seq });
    this.outbox.delete(seq);
  }

  /** Rewrites the file with only what is still needed: live jobs, final jobs within retention, unacknowledged reports. */
  compact(): void {
    const cutoff = this.now() - this.retentionMs;
    for (const [id, job] of this.jobsById) {
      if (FINAL_AGENT_STATES.includes(job.state) && Date.parse(job.updatedAt) < cutoff) this.jobsById.delete(id);
    }
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    let count = 0;
    const write = (line: Line) => {
      writeSync(fd, `${JSON.stringify(line)}\n`);
      count++;
    };
    for (const job of this.jobsById.values()) write({ k: 'job', job });
    for (const report of [...this.outbox.values()].sort((a, b) => a.seq - b.seq)) write({ k: 'report', report });
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // The old file stays open (and in use) until the new one has replaced it on disk.
    renameSync(tmp, this.path);
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
    const newFd = openSync(this.path, 'a');
    const oldFd = this.fd;
    this.fd = newFd;
    closeSync(oldFd);
    this.lines = count;
    this.compactDue = false;
  }

  /** Waits for syncs under way, then closes the file; later writes throw. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        // Every sync under way started before this one, and all finish before the file closes.
        while (this.syncsInFlight > 0 || this.waiting.length > 0) await this.durable();
      } finally {
        this.closed = true;
        closeSync(this.fd);
      }
    })();
    return this.closing;
  }

  private append(line: Line): void {
    if (this.closed) throw new Error('the journal is closed');
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
    this.lines++;
    if (this.lines > this.compactAfterLines) this.compactDue = true;
  }

  /** Resolves once a sync that started after this call has finished. */
  private durable(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.syncScheduled) {
        // Lines written in this same turn share the sync; a sync already under way does not
        // delay a new one (it may have started before this line was written).
        this.syncScheduled = true;
        queueMicrotask(() => this.startSync());
      }
    });
  }

  private startSync(): void {
    this.syncScheduled = false;
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    // Syncs may overlap, but their callers are released in the order the syncs started,
    // so jobs become printable in the order they were journaled.
    const entry: SyncBatch = { waiters: batch, done: false, error: null };
    this.syncQueue.push(entry);
    this.syncsInFlight += 1;
    fdatasync(this.fd, (syncError) => {
      this.syncsInFlight -= 1;
      entry.done = true;
      entry.error = syncError;
      // Only with no sync under way may the file be swapped; the rewrite comes from memory,
      // which holds every line written so far, and is itself synced. A failed compaction
      // leaves the old file in place and in use; it is tried again after as many lines.
      if (this.compactDue && this.syncsInFlight === 0 && !this.closed) {
        try {
          this.compact();
        } catch (compactError) {
          this.compactDue = false;
          this.lines = 0;
          this.onCompactError?.(compactError as Error);
        }
      }
      while (this.syncQueue[0]?.done) {
        const ready = this.syncQueue.shift() as SyncBatch;
        for (const waiter of ready.waiters) {
          if (ready.error) waiter.reject(ready.error);
          else waiter.resolve();
        }
      }
    });
  }

  private replay(text: string): void {
    const rows = text.split('\n');
    for (const [i, raw] of rows.entries()) {
      if (!raw) continue;
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch {
        // Only the last line can be torn by a crash; anything else is damage worth knowing about.
        if (i < rows.length - 2) throw new Error(`journal ${this.path} is damaged at line ${i + 1}`);
        continue;
      }
      this.lines++;
      if (line.k === 'job') this.jobsById.set(line.job.id, line.job);
      else if (line.k === 'state') {
        this.applyState(line.id, line.state, line.reason, line.at);
        if (line.report) this.addReport(line.report);
      } else if (line.k === 'report') this.addReport(line.report);
      else if (line.k === 'ack') this.outbox.delete(line.seq);
    }
  }

  private addReport(report: OutboxReport): void {
    this.outbox.set(report.seq, report);
    this.nextSeq = Math.max(this.nextSeq, report.seq + 1);
  }

  private applyState(id: string, state: AgentJobState, reason: string | undefined, at: string): void {
    const job = this.jobsById.get(id);
    if (!job) return;
    job.state = state;
    job.updatedAt = at;
    if (reason !== undefined) job.reason = reason;
    if (FINAL_AGENT_STATES.includes(state)) job.content = '';
  }
}

function reasonField(report: ReportEvent, reason: string): Record<string, unknown> {
  if (report === 'print:job:failed') return { error: reason };
  if (report === 'print:job:unconfirmed') return { reason };
  return {};
}
