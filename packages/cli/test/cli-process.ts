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

/** Starts after which a port taken by another process meanwhile is given up on. */
const PORT_ATTEMPTS = 3;

/**
 * A `printermaster serve` process on a port chosen here (unless `PORT` is given; a chosen port
 * that another process took meanwhile is replaced). `ready` resolves with the port once
 * `/health/ready` answers 200: the store is open, migrations and the first-start bootstrap are
 * done, the admin socket listens and the gateway takes requests.
 */
export class ServeProcess {
  stdout = '';
  stderr = '';
  readonly ready: Promise<number>;
  private child: ChildProcess | undefined;
  /** The current process's exit code, once it has exited and its output is read to the end. */
  private closed: Promise<number | null> = Promise.resolve(null);
  private markSpawned: () => void = () => {};
  private readonly spawned = new Promise<void>((resolve) => {
    this.markSpawned = resolve;
  });

  constructor(
    private readonly env: Record<string, string>,
    readyTimeoutMs = READY_TIMEOUT_MS,
  ) {
    this.ready = this.start(readyTimeoutMs);
  }

  private async start(timeoutMs: number): Promise<number> {
    const given = this.env.PORT && this.env.PORT !== '0' ? Number(this.env.PORT) : undefined;
    for (let attempt = 1; ; attempt++) {
      const port = given ?? (await freePort());
      this.stdout = '';
      this.stderr = '';
      const child = spawn(process.execPath, [CLI, 'serve'], {
        env: { ...cleanEnv(), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...this.env, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (d: Buffer) => {
        this.stdout += d.toString();
      });
      child.stderr?.on('data', (d: Buffer) => {
        this.stderr += d.toString();
      });
      this.child = child;
      this.closed = new Promise((resolve) => child.on('close', (code) => resolve(code)));
      this.markSpawned();
      try {
        await waitUntilReady(`http://127.0.0.1:${port}/health/ready`, {
          exited: this.closed,
          timeoutMs,
          what: 'printermaster serve',
        });
        return port;
      } catch (err) {
        // Not ready in time: not left running.
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await this.closed;
        if (given === undefined && attempt < PORT_ATTEMPTS && this.stderr.includes('EADDRINUSE')) continue;
        throw new Error(`${(err as Error).message}\n${this.stdout}\n${this.stderr}`);
      }
    }
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

  /** `find` on the ready process's output, again at each chunk of it, until it finds something or the process ends. */
  private async output<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    await this.ready;
    const child = this.child as ChildProcess;
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

  /** Stops the process with `signal`; resolves with its exit code once its output is read to the end. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    await this.spawned;
    const child = this.child as ChildProcess;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return this.closed;
  }
}
