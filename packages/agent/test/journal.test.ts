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

describe('agent journal', async () => {
  it('replays jobs, states and the unacknowledged outbox after a restart', async () => {
    const dir = tempDir();
    const j = new Journal(dir);
    await j.accept(job('a'));
    await j.accept(job('b'));
    await j.transition('a', 'printing', undefined, 'print:job:started');
    await j.transition('a', 'completed', undefined, 'print:job:completed', { success: true });
    const [started] = j.pendingReports();
    j.acknowledge(started?.seq ?? -1);
    await j.close();

    const again = new Journal(dir);
    expect(again.get('a')).toMatchObject({ state: 'completed', content: '' });
    expect(again.get('b')).toMatchObject({ state: 'accepted', content: Buffer.from('hello').toString('base64') });
    expect(again.pendingReports().map((r) => [r.event, r.payload.jobId])).toEqual([['print:job:completed', 'a']]);
    const next = await again.transition('b', 'failed', 'paper out too long', 'print:job:failed');
    expect(next.state).toBe('failed');
    const seqs = again.pendingReports().map((r) => r.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(again.pendingReports().at(-1)?.payload).toMatchObject({ jobId: 'b', error: 'paper out too long' });
    await again.close();
  });

  it('ignores a torn last line left by a crash mid-write', async () => {
    const dir = tempDir();
    const j = new Journal(dir);
    await j.accept(job('a'));
    await j.close();
    appendFileSync(join(dir, 'journal.log'), '{"k":"state","id":"a","sta');
    const again = new Journal(dir);
    expect(again.get('a')?.state).toBe('accepted');
    await again.close();
  });

  it('refuses a journal damaged before its last line rather than guessing', async () => {
    const dir = tempDir();
    const j = new Journal(dir);
    await j.accept(job('a'));
    await j.close();
    appendFileSync(join(dir, 'journal.log'), 'garbage\n{"k":"ack","seq":1}\n');
    expect(() => new Journal(dir)).toThrow(/damaged/);
  });

  it('compacts to live jobs, recent finished jobs and unsent reports, and forgets finished jobs after the retention', async () => {
    const dir = tempDir();
    let now = Date.parse('2026-11-22T10:00:00Z');
    const j = new Journal(dir, { now: () => now, compactAfterLines: 1_000_000, retentionMs: 24 * 3_600_000 });
    for (let i = 0; i < 50; i++) {
      await j.accept(job(`old-${i}`));
      await j.transition(`old-${i}`, 'completed', undefined, 'print:job:completed');
    }
    for (const r of j.pendingReports()) j.acknowledge(r.seq);
    now += 25 * 3_600_000;
    await j.accept(job('fresh'));
    await j.accept(job('done'));
    await j.transition('done', 'unconfirmed', 'link dropped', 'print:job:unconfirmed');
    j.compact();
    await j.close();
    const lines = readFileSync(join(dir, 'journal.log'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    const again = new Journal(dir, { now: () => now });
    expect(again.get('old-1')).toBeUndefined();
    expect(again.get('fresh')?.state).toBe('accepted');
    expect(again.get('done')).toMatchObject({ state: 'unconfirmed', reason: 'link dropped' });
    expect(again.pendingReports().map((r) => r.payload.jobId)).toEqual(['done']);
    await again.close();
  });

  it('group-commits concurrent writes: every caller resolves after its line is on disk, reports only then', async () => {
    const dir = tempDir();
    // A tiny compaction threshold: the file is rewritten between syncs while writes keep coming.
    const j = new Journal(dir, { compactAfterLines: 25 });
    const ids = Array.from({ length: 60 }, (_, i) => `job-${i}`);
    await Promise.all(ids.map((id) => j.accept(job(id))));
    const moves = ids.map((id) => j.transition(id, 'completed', undefined, 'print:job:completed'));
    // Written and applied at once, announced only once durable.
    expect(j.get('job-0')?.state).toBe('completed');
    expect(j.pendingReports()).toHaveLength(0);
    await Promise.all(moves);
    expect(j.pendingReports()).toHaveLength(60);
    for (const r of j.pendingReports().slice(0, 30)) j.acknowledge(r.seq);
    await j.close();
    const again = new Journal(dir);
    expect(ids.every((id) => again.get(id)?.state === 'completed')).toBe(true);
    expect(again.pendingReports().map((r) => r.payload.jobId)).toEqual(ids.slice(30));
    await again.close();
  });

  it('refuses writes after close', async () => {
    const dir = tempDir();
    const j = new Journal(dir);
    await j.accept(job('a'));
    await j.close();
    await expect(j.accept(job('b'))).rejects.toThrow(/closed/);
  });

  it('summarizes the journal for `agent status` without opening it for writing', async () => {
    const dir = tempDir();
    const j = new Journal(dir);
    await j.accept(job('a'));
    await j.accept(job('b'));
    await j.transition('a', 'completed', undefined, 'print:job:completed');
    const summary = summarizeJournal(dir);
    expect(summary.jobsByState).toMatchObject({ accepted: 1, completed: 1 });
    expect(summary.lastOutcomeByPrinter.Kitchen).toMatchObject({ jobId: 'a', state: 'completed' });
    expect(summary.pendingReports).toBe(1);
    await j.close();
  });
});
