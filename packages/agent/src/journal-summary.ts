import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentJobState, DamageRecord, JournalJob } from './journal-lines.js';

export interface JournalSummary {
  journalDir: string;
  jobsByState: Record<AgentJobState, number>;
  /** Per printer name: the newest final job. */
  lastOutcomeByPrinter: Record<string, { jobId: string; state: AgentJobState; reason?: string; at: string }>;
  /** Reports the gateway has not acknowledged yet. */
  pendingReports: number;
  /** Damage found when the agent opened its journal (kept 8 days), with whether the gateway has been told. */
  journalDamage: DamageRecord[];
  /** Damaged journal files kept beside the journal for inspection. */
  damagedFiles: string[];
}

/**
 * Reads a journal without opening it for writing, so it is safe while the agent
 * runs (`printermaster agent status`).
 */
export function summarizeJournal(journalDir: string): JournalSummary {
  const jobs = new Map<string, JournalJob>();
  // Only the numbers of unacknowledged reports count here, in every format the journal was written in.
  const outbox = new Set<number>();
  const damage: DamageRecord[] = [];
  const path = join(journalDir, 'journal.log');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    let line: { k: string; [key: string]: unknown };
    try {
      line = JSON.parse(raw) as typeof line;
    } catch {
      continue;
    }
    if (line.k === 'job') {
      const job = line.job as JournalJob;
      jobs.set(job.id, { ...job });
    } else if (line.k === 'state') {
      const job = jobs.get(line.id as string);
      if (job) {
        job.state = line.state as AgentJobState;
        job.updatedAt = line.at as string;
        if (typeof line.reason === 'string') job.reason = line.reason;
      }
      if (line.report) outbox.add((line.report as { seq: number }).seq);
    } else if (line.k === 'report') outbox.add((line.report as { seq: number }).seq);
    else if (line.k === 'ack') outbox.delete(line.seq as number);
    else if (line.k === 'damage') damage.push({ ...(line.damage as DamageRecord) });
    else if (line.k === 'damage-reported') {
      const record = damage.find((d) => d.at === line.at);
      if (record) record.reported = true;
    }
  }
  const jobsByState: Record<AgentJobState, number> = {
    accepted: 0,
    printing: 0,
    completed: 0,
    failed: 0,
    unconfirmed: 0,
  };
  const lastOutcomeByPrinter: JournalSummary['lastOutcomeByPrinter'] = {};
  for (const job of jobs.values()) {
    jobsByState[job.state]++;
    if (job.state === 'completed' || job.state === 'failed' || job.state === 'unconfirmed') {
      const current = lastOutcomeByPrinter[job.printerName];
      if (!current || current.at < job.updatedAt) {
        lastOutcomeByPrinter[job.printerName] = {
          jobId: job.id,
          state: job.state,
          ...(job.reason ? { reason: job.reason } : {}),
          at: job.updatedAt,
        };
      }
    }
  }
  const damagedFiles = existsSync(journalDir)
    ? readdirSync(journalDir)
        .filter((f) => f.startsWith('journal.log.damaged-'))
        .sort()
    : [];
  return {
    journalDir,
    jobsByState,
    lastOutcomeByPrinter,
    pendingReports: outbox.size,
    journalDamage: damage,
    damagedFiles,
  };
}
