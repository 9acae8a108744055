// What a scenario gets: paths, sizes, and a registry of the processes it
// started, so that every one is stopped even when the scenario fails.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { forkProc, spawnProc } from './proc.mjs';

export const PROCS_DIR = new URL('../procs/', import.meta.url).pathname;

export class Context {
  /** @param {{workDir: string, logDir: string, outDir: string, opts: any}} o */
  constructor(o) {
    this.workDir = o.workDir;
    this.logDir = o.logDir;
    this.outDir = o.outDir;
    this.opts = o.opts;
    this.procs = new Set();
    mkdirSync(this.logDir, { recursive: true });
  }

  /** A directory under the run's work directory (or under `parent`). */
  dir(name, parent = this.workDir) {
    const d = join(parent, name);
    mkdirSync(d, { recursive: true });
    return d;
  }

  /** A fresh journal directory for a real agent (under --agent-journal-dir when given). */
  agentJournal(name) {
    if (!this.opts.agentJournalDir) return this.dir(name);
    const d = this.dir(`${name}-${process.pid}-${Date.now().toString(36)}`, this.opts.agentJournalDir);
    this.extraDirs = [...(this.extraDirs ?? []), d];
    return d;
  }

  track(proc) {
    this.procs.add(proc);
    proc.exitPromise.then(() => this.procs.delete(proc));
    return proc;
  }

  /** Forks bench/procs/<file> with IPC. */
  fork(name, file, o = {}) {
    return this.track(forkProc(name, join(PROCS_DIR, file), { logDir: this.logDir, ...o }));
  }

  spawn(name, command, args, o = {}) {
    return this.track(spawnProc(name, command, args, { logDir: this.logDir, ...o }));
  }

  /** Stops every process still running (SIGTERM, then SIGKILL). */
  async stopAll() {
    await Promise.all([...this.procs].map((p) => p.stop('SIGTERM', 15_000)));
  }

  /**
   * Warnings and errors a process logged (pino JSON lines, level ≥ 40), counted
   * by message: the noise a scenario makes, and a hint of what went wrong.
   */
  logSummary(name, top = 6) {
    let text = '';
    try {
      text = readFileSync(join(this.logDir, `${name}.log`), 'utf8');
    } catch {
      return undefined;
    }
    const counts = new Map();
    for (const line of text.split('\n')) {
      const raw = line.startsWith('! ') ? line.slice(2) : line;
      if (!raw.startsWith('{')) continue;
      try {
        const j = JSON.parse(raw);
        if (typeof j.level === 'number' && j.level >= 40) counts.set(j.msg, (counts.get(j.msg) ?? 0) + 1);
      } catch {
        // not JSON
      }
    }
    return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]).slice(0, top));
  }

  log(...args) {
    const t = new Date().toISOString().slice(11, 19);
    process.stdout.write(`[${t}] ${args.join(' ')}\n`);
  }
}
