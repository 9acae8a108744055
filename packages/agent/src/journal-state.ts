import {
  type AgentJobState,
  type DamageRecord,
  FINAL_AGENT_STATES,
  type JobReport,
  type JournalJob,
  type JournalLine,
} from './journal-lines.js';

/** What the journal's lines add up to, in memory: jobs, unacknowledged reports, damage found. */
export class JournalState {
  readonly jobs = new Map<string, JournalJob>();
  /** Reports not yet acknowledged by the gateway, by sequence number. */
  readonly outbox = new Map<number, JobReport>();
  readonly damage: DamageRecord[] = [];
  /** The sequence number the next report gets. */
  nextSeq = 1;

  /**
   * Replays readable lines in file order. Returns, for damage recovery, the line number of
   * each job's first entry, and the jobs named by state lines whose own entry was not read
   * (with the printer their report names, if any).
   */
  replayAll(entries: readonly { line: JournalLine; lineNo: number }[]): {
    firstLineOf: Map<string, number>;
    orphans: Map<string, string | undefined>;
  } {
    const firstLineOf = new Map<string, number>();
    const orphans = new Map<string, string | undefined>();
    for (const { line, lineNo } of entries) {
      if (line.k === 'job' && !firstLineOf.has(line.job.id)) firstLineOf.set(line.job.id, lineNo);
      if (line.k === 'state' && !this.jobs.has(line.id)) orphans.set(line.id, line.report?.printerId);
      this.replay(line);
    }
    return { firstLineOf, orphans };
  }

  replay(line: JournalLine): void {
    if (line.k === 'job') this.jobs.set(line.job.id, line.job);
    else if (line.k === 'state') {
      this.applyState(line.id, line.state, line.reason, line.at);
      if (line.report) this.addReport(line.report);
    } else if (line.k === 'report') this.addReport(line.report);
    else if (line.k === 'ack') this.outbox.delete(line.seq);
    else if (line.k === 'damage') this.damage.push({ ...line.damage });
    else {
      const at = line.at;
      const record = this.damage.find((d) => d.at === at);
      if (record) record.reported = true;
    }
  }

  addReport(report: JobReport): void {
    this.outbox.set(report.seq, report);
    this.nextSeq = Math.max(this.nextSeq, report.seq + 1);
  }

  applyState(id: string, state: AgentJobState, reason: string | undefined, at: string): void {
    const job = this.jobs.get(id);
    if (!job) return;
    job.state = state;
    job.updatedAt = at;
    if (reason !== undefined) job.reason = reason;
    if (FINAL_AGENT_STATES.includes(state)) job.content = '';
  }
}
