import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isoTime } from '@printermaster/protocol';
import { GroupSync } from './group-sync.js';
import { type ReadJournal, readJournalFile, replaceJournalFile, syncDirectory } from './journal-file.js';
import {
  buildReport,
  type DamageRecord,
  FINAL_AGENT_STATES,
  type JobReport,
  type JournalJob,
  type JournalLine,
  type ReportedState,
} from './journal-lines.js';
import { lostJobStub, recoverFromDamage } from './journal-recovery.js';
import { JournalState } from './journal-state.js';

export type { AgentJobState, DamageRecord, JobReport, JournalJob, ReportedState } from './journal-lines.js';
export { FINAL_AGENT_STATES } from './journal-lines.js';

/** Damage records are kept this long (the longest useful-until a job may have, plus a day), ms. */
const DAMAGE_RETENTION_MS = 8 * 86_400_000;

export interface JournalOptions {
  /** Final jobs are remembered this long (duplicate deliveries are recognised), ms. At least 24 h. */
  retentionMs?: number;
  /**
   * Rewrite the file once it has this many lines, or twice as many as the last rewrite kept when
   * that is more: a journal that keeps more jobs than this (a busy branch's 48 hours of tickets)
   * would otherwise be rewritten in full after every write.
   */
  compactAfterLines?: number;
  now?: () => number;
  /** A rewrite of the file failed (disk full, …); the journal goes on in the old file. */
  onCompactError?: (err: Error) => void;
}

/**
 * The agent's on-disk journal: an append-only file of JSON lines. `accept` and
 * `transition` resolve only once their line is synced to disk, so a job is on
 * disk before the gateway is told "accepted", and "printing" is on disk before
 * the first byte goes out. Syncs are group-committed (GroupSync). A state change
 * and its report (JobReport, a fact for the gateway) are one line, so a crash never
 * leaves one without the other; the report enters the outbox only once the line is
 * durable. How reports travel to the gateway is the agent's outbox's concern.
 *
 * Opening never fails on what a crash or a bad disk leaves behind: a torn last line
 * is cut off (and the cut synced) before anything is appended, and a journal damaged
 * before its end is moved aside, every readable entry kept, and each job that may
 * have lost an entry made `unconfirmed` (DamageRecord), so the branch goes on printing
 * and no ticket is printed twice.
 */
export class Journal {
  private readonly state = new JournalState();
  private fd: number;
  private lines = 0;
  private readonly path: string;
  private readonly retentionMs: number;
  private readonly compactAfterLines: number;
  /** Lines after which the next rewrite is due (compactAfterLines, or twice what the last one kept). */
  private compactAt: number;
  private rewriteCount = 0;
  private readonly now: () => number;
  private readonly sync: GroupSync;
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
    this.compactAt = this.compactAfterLines;
    this.now = options.now ?? Date.now;
    this.onCompactError = options.onCompactError;
    this.sync = new GroupSync(
      () => this.fd,
      () => this.compactIfDue(),
    );
    const read = readJournalFile(this.path);
    const { firstLineOf, orphans } = this.state.replayAll(read.entries);
    this.lines = read.entries.length;
    const damaged = read.damaged.length > 0;
    if (damaged) this.setDamagedFileAside(read, firstLineOf, orphans);
    this.fd = openSync(this.path, 'a');
    if (damaged || this.lines > this.compactAt) this.compact();
  }

  /** Times the file was rewritten (compacted) since it was opened, the opening's own included. */
  get rewrites(): number {
    return this.rewriteCount;
  }

  get(id: string): JournalJob | undefined {
    return this.state.jobs.get(id);
  }

  jobs(): JournalJob[] {
    return [...this.state.jobs.values()];
  }

  /** Reports to send: durable and not yet acknowledged, in order. */
  pendingReports(): JobReport[] {
    return [...this.state.outbox.values()].filter((r) => !this.notYetDurable.has(r.seq)).sort((a, b) => a.seq - b.seq);
  }

  /** Damage found when the journal was opened, newest last (kept 8 days). */
  damageFound(): readonly DamageRecord[] {
    return this.state.damage;
  }

  /** The gateway acknowledged the notice of the damage found at `at`. Not synced: a lost line re-sends the notice. */
  damageReported(at: string): void {
    const record = this.state.damage.find((d) => d.at === at);
    if (!record || record.reported) return;
    record.reported = true;
    this.append({ k: 'damage-reported', at });
  }

  /**
   * A damage found after `createdAt` (ISO 8601): a job created before it and sent again,
   * but unknown to the journal, may have been in the lost part and may have printed.
   */
  damageSince(createdAt: string): DamageRecord | undefined {
    const created = Date.parse(createdAt);
    return this.state.damage.find((d) => !(Date.parse(d.at) < created));
  }

  /** Records a job the journal lost as `unconfirmed` with `reason`; resolves once that is on disk. */
  async recordLost(id: string, printerId: string, reason: string): Promise<JournalJob> {
    const entry = { ...lostJobStub(id, printerId, isoTime(this.now())), reason };
    this.append({ k: 'job', job: entry });
    this.state.jobs.set(id, entry);
    await this.sync.durable();
    return entry;
  }

  /** Records a newly delivered job as `accepted`; resolves once that is on disk. The caller checked it is not known. */
  async accept(job: Omit<JournalJob, 'state' | 'receivedAt' | 'updatedAt'>): Promise<JournalJob> {
    const at = isoTime(this.now());
    const entry: JournalJob = { ...job, state: 'accepted', receivedAt: at, updatedAt: at };
    this.append({ k: 'job', job: entry });
    this.state.jobs.set(entry.id, entry);
    await this.sync.durable();
    return entry;
  }

  /** Resolves once everything written so far is on disk (a duplicate delivery's answer waits for the first). */
  flushed(): Promise<void> {
    return this.sync.durable();
  }

  /**
   * Moves a job to `state` and queues the report of the move for the gateway, in one line;
   * resolves once it is on disk. `durationMs`: how long a completed print took.
   */
  async transition(id: string, state: ReportedState, reason?: string, durationMs?: number): Promise<JournalJob> {
    const job = this.state.jobs.get(id);
    if (!job) throw new Error(`journal has no job ${id}`);
    const at = isoTime(this.now());
    const report = buildReport(this.state.nextSeq++, job, state, reason, at, durationMs);
    this.append({ k: 'state', id, state, ...(reason !== undefined ? { reason } : {}), at, report });
    this.state.applyState(id, state, reason, at);
    // In the outbox at once (a compaction must carry it), but not offered for sending until durable.
    this.state.outbox.set(report.seq, report);
    this.notYetDurable.add(report.seq);
    try {
      await this.sync.durable();
    } finally {
      this.notYetDurable.delete(report.seq);
    }
    return job;
  }

  /**
   * The gateway recorded this report. Not synced on its own: if the line is lost in a
   * crash the report is sent again, and the gateway treats a repeated report as a no-op.
   */
  acknowledge(seq: number): void {
    if (!this.state.outbox.has(seq)) return;
    this.append({ k: 'ack', seq });
    this.state.outbox.delete(seq);
  }

  /**
   * Rewrites the file with only what is still needed: live jobs, final jobs within retention,
   * unacknowledged reports, and damage records that are unreported or recent.
   */
  compact(): void {
    const now = this.now();
    for (const [id, job] of this.state.jobs) {
      if (FINAL_AGENT_STATES.includes(job.state) && Date.parse(job.updatedAt) < now - this.retentionMs)
        this.state.jobs.delete(id);
    }
    const kept = this.state.damage.filter((d) => !d.reported || Date.parse(d.at) >= now - DAMAGE_RETENTION_MS);
    this.state.damage.splice(0, this.state.damage.length, ...kept);
    const lines: JournalLine[] = [
      ...this.state.damage.map((damage) => ({ k: 'damage' as const, damage })),
      ...[...this.state.jobs.values()].map((job) => ({ k: 'job' as const, job })),
      ...[...this.state.outbox.values()]
        .sort((a, b) => a.seq - b.seq)
        .map((report) => ({ k: 'report' as const, report })),
    ];
    // The old file stays open (and in use) until the new one has replaced it on disk.
    replaceJournalFile(this.path, lines);
    const newFd = openSync(this.path, 'a');
    const oldFd = this.fd;
    this.fd = newFd;
    closeSync(oldFd);
    this.lines = lines.length;
    // Rewrites cost what they keep: at most one per as many new lines, so each line is copied a
    // bounded number of times however much the journal keeps.
    this.compactAt = Math.max(this.compactAfterLines, 2 * lines.length);
    this.compactDue = false;
    this.rewriteCount++;
  }

  /** Waits for syncs under way, then closes the file; later writes throw. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        // Every sync under way started before this one, and all finish before the file closes.
        while (this.sync.busy) await this.sync.durable();
      } finally {
        this.closed = true;
        closeSync(this.fd);
      }
    })();
    return this.closing;
  }

  private append(line: JournalLine): void {
    if (this.closed) throw new Error('the journal is closed');
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
    this.lines++;
    if (this.lines > this.compactAt) this.compactDue = true;
  }

  /**
   * After a sync, with none under way: the only moment the file may be swapped. The rewrite
   * comes from memory, which holds every line written so far, and is itself synced. A failed
   * compaction leaves the old file in place and in use; it is tried again after as many lines.
   */
  private compactIfDue(): void {
    if (!this.compactDue || this.closed) return;
    try {
      this.compact();
    } catch (compactError) {
      this.compactDue = false;
      this.lines = 0;
      this.onCompactError?.(compactError as Error);
    }
  }

  /** A journal damaged before its end is kept aside; the caller writes the recovered one anew. */
  private setDamagedFileAside(
    read: ReadJournal,
    firstLineOf: ReadonlyMap<string, number>,
    orphans: ReadonlyMap<string, string | undefined>,
  ): void {
    const at = isoTime(this.now());
    const file = `journal.log.damaged-${at.replace(/[:.]/g, '-')}`;
    renameSync(this.path, join(this.dir, file));
    syncDirectory(this.dir);
    const recovery = recoverFromDamage({
      jobs: this.state.jobs,
      firstLineOf,
      orphans,
      damaged: read.damaged,
      reportedJobIds: new Set([...this.state.outbox.values()].map((r) => r.jobId)),
      at,
    });
    for (const r of recovery.reports)
      this.state.addReport(buildReport(this.state.nextSeq, r.job, r.state, r.reason, r.at));
    this.state.damage.push({
      at,
      file,
      lines: read.damaged.map((d) => d.lineNo),
      recoveredEntries: read.entries.length,
      unconfirmedJobIds: recovery.unconfirmedJobIds,
      reported: false,
    });
  }
}
