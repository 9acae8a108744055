import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../src/journal.js';
import { summarizeJournal } from '../src/journal-summary.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'pm-journal-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const job = (id: string) => ({
  id,
  printerId: 'p1',
  printerName: 'Kitchen',
  content: Buffer.from('hello').toString('base64'),
  type: 'kitchen',
  priority: 5,
  copies: 1,
  usefulUntil: new Date(Date.now() + 60_000).toISOString(),
  printer: { connection: 'network', ip: '127.0.0.1', port: 9100 },
});

describe('agent journal', () => {
  it('replays jobs, states and the unacknowledged outbox after a restart', () => {
    const dir = tempDir();
    const j = new Journal(dir);
    j.accept(job('a'));
    j.accept(job('b'));
    j.transition('a', 'printing', undefined, 'print:job:started');
    j.transition('a', 'completed', undefined, 'print:job:completed', { success: true });
    const [started] = j.pendingReports();
    j.acknowledge(started?.seq ?? -1);
    j.close();

    const again = new Journal(dir);
    expect(again.get('a')).toMatchObject({ state: 'completed', content: '' });
    expect(again.get('b')).toMatchObject({ state: 'accepted', content: Buffer.from('hello').toString('base64') });
    expect(again.pendingReports().map((r) => [r.event, r.payload.jobId])).toEqual([['print:job:completed', 'a']]);
    const next = again.transition('b', 'failed', 'paper out too long', 'print:job:failed');
    expect(next.state).toBe('failed');
    const seqs = again.pendingReports().map((r) => r.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(again.pendingReports().at(-1)?.payload).toMatchObject({ jobId: 'b', error: 'paper out too long' });
    again.close();
  });

  it('ignores a torn last line left by a crash mid-write', () => {
    const dir = tempDir();
    const j = new Journal(dir);
    j.accept(job('a'));
    j.close();
    appendFileSync(join(dir, 'journal.log'), '{"k":"state","id":"a","sta');
    const again = new Journal(dir);
    expect(again.get('a')?.state).toBe('accepted');
    again.close();
  });

  it('refuses a journal damaged before its last line rather than guessing', () => {
    const dir = tempDir();
    const j = new Journal(dir);
    j.accept(job('a'));
    j.close();
    appendFileSync(join(dir, 'journal.log'), 'garbage\n{"k":"ack","seq":1}\n');
    expect(() => new Journal(dir)).toThrow(/damaged/);
  });

  it('compacts to live jobs, recent finished jobs and unsent reports, and forgets finished jobs after the retention', () => {
    const dir = tempDir();
    let now = Date.parse('2026-11-22T10:00:00Z');
    const j = new Journal(dir, { now: () => now, compactAfterLines: 1_000_000, retentionMs: 24 * 3_600_000 });
    for (let i = 0; i < 50; i++) {
      j.accept(job(`old-${i}`));
      j.transition(`old-${i}`, 'completed', undefined, 'print:job:completed');
    }
    for (const r of j.pendingReports()) j.acknowledge(r.seq);
    now += 25 * 3_600_000;
    j.accept(job('fresh'));
    j.accept(job('done'));
    j.transition('done', 'unconfirmed', 'link dropped', 'print:job:unconfirmed');
    j.compact();
    j.close();
    const lines = readFileSync(join(dir, 'journal.log'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    const again = new Journal(dir, { now: () => now });
    expect(again.get('old-1')).toBeUndefined();
    expect(again.get('fresh')?.state).toBe('accepted');
    expect(again.get('done')).toMatchObject({ state: 'unconfirmed', reason: 'link dropped' });
    expect(again.pendingReports().map((r) => r.payload.jobId)).toEqual(['done']);
    again.close();
  });

  it('summarizes the journal for `agent status` without opening it for writing', () => {
    const dir = tempDir();
    const j = new Journal(dir);
    j.accept(job('a'));
    j.accept(job('b'));
    j.transition('a', 'completed', undefined, 'print:job:completed');
    const summary = summarizeJournal(dir);
    expect(summary.jobsByState).toMatchObject({ accepted: 1, completed: 1 });
    expect(summary.lastOutcomeByPrinter.Kitchen).toMatchObject({ jobId: 'a', state: 'completed' });
    expect(summary.pendingReports).toBe(1);
    j.close();
  });
});
