// Process helpers for the benchmark harness: spawn/fork with logs, wait for a
// line or a condition, read CPU time and memory of any process from /proc.
import { execFileSync, fork, spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
} catch {
  // /proc times are in USER_HZ, 100 on every Linux we run on.
}

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it returns a truthy value; throws after `timeoutMs`. */
export async function waitUntil(check, { timeoutMs = 30_000, everyMs = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** CPU seconds (user + system) a process has used so far; undefined once it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after "(comm)": state is [0], utime is field 14 → [11], stime → [12].
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return undefined;
  }
}

/**
 * A group of processes found by command name (e.g. every local PostgreSQL
 * server process), for cpuMeter: {name, pids()}.
 */
export function processGroup(name, comm) {
  return {
    name,
    pids() {
      const out = [];
      for (const d of readdirSync('/proc')) {
        if (!/^\d+$/.test(d)) continue;
        try {
          if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === comm) out.push(Number(d));
        } catch {
          // gone
        }
      }
      return out;
    },
  };
}

/** Resident set size in bytes (VmRSS), or undefined once the process is gone. */
export function rssBytes(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Whole-machine CPU jiffies {busy, total} from /proc/stat (all cores). */
function machineJiffies() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/**
 * Measures the CPU use of a set of processes over an interval:
 * `const m = cpuMeter(procs); ...; m.stop()` → {name: {cpuSeconds, cpuPercent}}.
 * 100 % is one core fully busy.
 */
export function cpuMeter(procs) {
  const started = Date.now();
  const groups = procs.filter((p) => p && typeof p.pids === 'function');
  procs = procs.filter((p) => p && typeof p.pids !== 'function');
  const groupBefore = new Map(groups.map((g) => [g, new Map(g.pids().map((pid) => [pid, cpuSeconds(pid) ?? 0]))]));
  const before = new Map(procs.filter(Boolean).map((p) => [p, cpuSeconds(p.pid) ?? 0]));
  const machineBefore = machineJiffies();
  return {
    stop() {
      const wall = (Date.now() - started) / 1000;
      /** @type {Record<string, {cpuSeconds: number, cpuPercent: number}>} */
      const out = {};
      for (const [p, b] of before) {
        const after = cpuSeconds(p.pid) ?? b;
        const used = Math.max(0, after - b);
        out[p.name] = { cpuSeconds: round(used, 2), cpuPercent: round((100 * used) / Math.max(wall, 0.001), 1) };
      }
      for (const [g, b] of groupBefore) {
        let used = 0;
        for (const pid of g.pids()) used += Math.max(0, (cpuSeconds(pid) ?? 0) - (b.get(pid) ?? 0));
        out[g.name] = { cpuSeconds: round(used, 2), cpuPercent: round((100 * used) / Math.max(wall, 0.001), 1) };
      }
      const machineAfter = machineJiffies();
      if (machineBefore && machineAfter) {
        // Whole machine, all cores: 100 % = every core busy (includes kernel and soft-interrupt time).
        const busy = machineAfter.busy - machineBefore.busy;
        const total = Math.max(1, machineAfter.total - machineBefore.total);
        out.machine = { cpuSeconds: round(busy / clockTicks, 2), cpuPercent: round((100 * busy) / total, 1) };
      }
      return out;
    },
  };
}

export function round(n, digits = 1) {
  if (n === undefined || n === null || Number.isNaN(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * A child process with its stdout/stderr written to `<logDir>/<name>.log` and
 * its lines kept (the last 2000) for `waitForLine`.
 */
class Proc {
  constructor(name, child, logDir) {
    this.name = name;
    this.child = child;
    this.pid = child.pid;
    this.lines = [];
    this.listeners = new Set();
    this.exited = false;
    this.exitCode = undefined;
    this.log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        this.exitCode = code ?? signal;
        resolve(this.exitCode);
      });
    });
    const onLine = (stream) => (line) => {
      this.log.write(`${stream === 'err' ? '! ' : ''}${line}\n`);
      this.lines.push(line);
      if (this.lines.length > 2000) this.lines.shift();
      for (const l of this.listeners) l(line);
    };
    if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine('out'));
    if (child.stderr) createInterface({ input: child.stderr }).on('line', onLine('err'));
  }

  /** Resolves with the first line (already seen or future) that `test` matches; rejects on exit or timeout. */
  waitForLine(test, timeoutMs = 60_000) {
    const match = typeof test === 'function' ? test : (line) => test.test(line);
    const seen = this.lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`${this.name}: no line matching ${test} within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (line) => {
        if (!match(line)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(line);
      };
      this.listeners.add(listener);
      this.exitPromise.then(() => {
        if (!this.listeners.has(listener)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        reject(new Error(`${this.name} exited (${this.exitCode}) before printing a line matching ${test}`));
      });
    });
  }

  /** Sends `signal`, then SIGKILL after `graceMs`; resolves with the exit code. */
  async stop(signal = 'SIGTERM', graceMs = 15_000) {
    if (this.exited) return this.exitCode;
    try {
      this.child.kill(signal);
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      if (!this.exited) this.child.kill('SIGKILL');
    }, graceMs);
    const code = await this.exitPromise;
    clearTimeout(timer);
    this.log.end();
    return code;
  }
}

/**
 * Spawns a command. With `ipc`, the child gets an IPC channel and `proc.readyAt` records when
 * it sent `'ready'` (what `printermaster serve` tells pm2): the moment it is ready, which an
 * HTTP probe sees late when the port's accept queue is full (a reconnect storm).
 */
export function spawnProc(name, command, args, { env = {}, cwd, logDir, ipc = false }) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const proc = new Proc(name, child, logDir);
  if (ipc) {
    child.on('message', (msg) => {
      if (msg === 'ready' && proc.readyAt === undefined) proc.readyAt = Date.now();
    });
  }
  return proc;
}

/**
 * Forks a bench module with an IPC channel. The child answers `{id, cmd, ...}`
 * messages with `{id, ok, result | error}` (see `serveCommands` in ipc.mjs).
 */
export function forkProc(name, modulePath, { env = {}, logDir, execArgv = [], args = [] }) {
  const child = fork(modulePath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    execArgv,
  });
  const proc = new Proc(name, child, logDir);
  let nextId = 1;
  const waiting = new Map();
  /** @type {((msg: any) => void)[]} */
  proc.eventListeners = [];
  child.on('message', (msg) => {
    if (msg && typeof msg === 'object' && 'id' in msg && waiting.has(msg.id)) {
      const { resolve, reject } = waiting.get(msg.id);
      waiting.delete(msg.id);
      if (msg.ok) resolve(msg.result);
      else reject(new Error(`${name}: ${msg.error}`));
    } else {
      for (const l of proc.eventListeners) l(msg);
    }
  });
  proc.exitPromise.then(() => {
    for (const { reject } of waiting.values()) reject(new Error(`${name} exited (${proc.exitCode})`));
    waiting.clear();
  });
  /** Calls a command in the child and resolves with its result. */
  proc.call = (cmd, params = {}) =>
    new Promise((resolve, reject) => {
      if (proc.exited) return reject(new Error(`${name} has exited (${proc.exitCode})`));
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      child.send({ id, cmd, ...params });
    });
  return proc;
}
