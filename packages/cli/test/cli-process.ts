import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, READY_TIMEOUT_MS, waitUntilReady } from '../../server/test/support/readiness.js';

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

/**
 * A `printermaster serve` process on a port chosen here (unless `PORT` is given). `ready`
 * resolves with the port once `/health/ready` answers 200: the store is open, migrations and
 * the first-start bootstrap are done, the admin socket listens and the gateway takes requests.
 */
export class ServeProcess {
  stdout = '';
  stderr = '';
  readonly ready: Promise<number>;
  /** Resolves with the exit code once the process has exited and its output is read to the end. */
  readonly exited: Promise<number | null>;
  private child: ChildProcess | undefined;
  private stopRequested: NodeJS.Signals | undefined;
  private readonly spawned: Promise<{ child: ChildProcess; port: number }>;

  constructor(env: Record<string, string>, readyTimeoutMs = READY_TIMEOUT_MS) {
    this.spawned = (async () => {
      const port = env.PORT && env.PORT !== '0' ? Number(env.PORT) : await freePort();
      const child = spawn(process.execPath, [CLI, 'serve'], {
        env: { ...cleanEnv(), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.child = child;
      child.stdout?.on('data', (d: Buffer) => {
        this.stdout += d.toString();
      });
      child.stderr?.on('data', (d: Buffer) => {
        this.stderr += d.toString();
      });
      // A stop asked for before the process existed.
      if (this.stopRequested) child.kill(this.stopRequested);
      return { child, port };
    })();
    this.exited = this.spawned.then(
      ({ child }) => new Promise((resolve) => child.on('close', (code) => resolve(code))),
    );
    this.ready = this.spawned.then(async ({ port }) => {
      try {
        await waitUntilReady(`http://127.0.0.1:${port}/health/ready`, {
          exited: this.exited,
          timeoutMs: readyTimeoutMs,
          what: 'printermaster serve',
        });
      } catch (err) {
        throw new Error(`${(err as Error).message}\n${this.stdout}\n${this.stderr}`);
      }
      return port;
    });
  }

  /** JSON log lines so far. */
  logs(): { msg: string; [k: string]: unknown }[] {
    return this.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string });
  }

  /**
   * The first JSON log line with this message, once written: for tests about what the gateway
   * logs (its start-up line), not to learn that something happened.
   */
  logLine(msg: string, timeoutMs = 30_000): Promise<{ msg: string; [k: string]: unknown }> {
    return this.output(() => this.logs().find((l) => l.msg === msg), timeoutMs, `the "${msg}" line`);
  }

  /**
   * What the first start printed for its user: the admin token and the licence key. The console
   * is the only place they are given, a moment after the gateway is ready; resolves once the
   * whole message is in (up to its last line, the API docs' address).
   */
  credentials(timeoutMs = 30_000): Promise<{ licenseKey: string; adminToken: string }> {
    return this.output(
      () => {
        if (!/API docs: \S+\n/.test(this.stdout)) return undefined;
        const licenseKey = /Licence key\s+: (\S+)\n/.exec(this.stdout)?.[1];
        const adminToken = /Admin JWT\s+: (\S+)\n/.exec(this.stdout)?.[1];
        return licenseKey && adminToken ? { licenseKey, adminToken } : undefined;
      },
      timeoutMs,
      'the printed credentials',
    );
  }

  /** `find` on the output, again at each chunk of it, until it finds something or the process ends. */
  private async output<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const { child } = await this.spawned;
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = find();
        if (value === undefined) return false;
        done();
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} within ${timeoutMs} ms:\n${this.stdout}\n${this.stderr}`));
      }, timeoutMs);
      const onData = () => void check();
      const onClose = () => {
        if (check()) return;
        done();
        reject(new Error(`serve exited before printing ${what}:\n${this.stdout}\n${this.stderr}`));
      };
      const done = () => {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.off('close', onClose);
      };
      child.stdout?.on('data', onData);
      child.on('close', onClose);
      check();
    });
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (!this.child) {
      this.stopRequested = signal;
      return this.exited;
    }
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill(signal);
    return this.exited;
  }
}
