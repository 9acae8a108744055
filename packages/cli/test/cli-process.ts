import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `printermaster …` to completion. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
  cwd?: string,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...cleanEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(cwd ? { cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`printermaster ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The environment without variables of the surrounding shell that would change the gateway’s behaviour. */
export function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^(PORT|HOST|DATABASE_URL|REDIS_URL|JWT_SECRET|CORS_ORIGINS|NODE_ENV|PRINTERMASTER_.*)$/.test(k)) continue;
    env[k] = v;
  }
  return env;
}

/** A `printermaster serve` process; `ready` resolves with its port once it listens. */
export class ServeProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly ready: Promise<number>;
  readonly exited: Promise<number | null>;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [CLI, 'serve'], {
      env: { ...cleanEnv(), HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${this.stdout}\n${this.stderr}`)), 60_000);
      this.child.stdout?.on('data', (d: Buffer) => {
        this.stdout += d.toString();
        const m = /"port":(\d+)[^\n]*"msg":"gateway listening"/.exec(this.stdout);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      this.child.stderr?.on('data', (d: Buffer) => {
        this.stderr += d.toString();
      });
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`serve exited with ${code} before listening:\n${this.stdout}\n${this.stderr}`));
      });
    });
  }

  /** JSON log lines so far. */
  logs(): { msg: string; [k: string]: unknown }[] {
    return this.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string });
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    this.child.kill(signal);
    return this.exited;
  }
}
