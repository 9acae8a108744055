// What a scenario gets: paths, sizes, and a registry of the processes it
// started, so that every one is stopped even when the scenario fails.
import { mkdirSync } from 'node:fs';
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

  /** A directory under the run's work directory. */
  dir(name) {
    const d = join(this.workDir, name);
    mkdirSync(d, { recursive: true });
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

  log(...args) {
    const t = new Date().toISOString().slice(11, 19);
    process.stdout.write(`[${t}] ${args.join(' ')}\n`);
  }
}
