import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The compiled CLI entry point (this package's `dist/main.js`). */
export const CLI_ENTRY = fileURLToPath(new URL('./main.js', import.meta.url));

/**
 * A `printermaster …` child process whose output is kept as lines, so callers
 * can wait for a log line with a deadline instead of sleeping.
 */
export class ChildProcessHandle {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  readonly stderrLines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];

  constructor(
    readonly label: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    private readonly echo?: (label: string, line: string) => void,
  ) {
    this.child = spawn(process.execPath, [CLI_ENTRY, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))),
    );
    const split = (target: string[], stream: NodeJS.ReadableStream | null) => {
      let rest = '';
      stream?.on('data', (chunk: Buffer) => {
        rest += chunk.toString('utf8');
        let nl = rest.indexOf('\n');
        while (nl >= 0) {
          const line = rest.slice(0, nl);
          rest = rest.slice(nl + 1);
          target.push(line);
          this.echo?.(this.label, line);
          for (const w of [...this.waiters]) {
            if (w.match(line)) {
              this.waiters.splice(this.waiters.indexOf(w), 1);
              w.resolve(line);
            }
          }
          nl = rest.indexOf('\n');
        }
      });
    };
    split(this.lines, this.child.stdout);
    split(this.stderrLines, this.child.stderr);
  }

  /** The first output line (stdout or stderr) matching, now or later. */
  waitForLine(match: RegExp | ((line: string) => boolean), timeoutMs = 30_000): Promise<string> {
    const test = typeof match === 'function' ? match : (l: string) => match.test(l);
    const found = [...this.lines, ...this.stderrLines].find(test);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `${this.label}: no line matching ${String(match)} within ${timeoutMs} ms\n${this.lines.slice(-20).join('\n')}\n${this.stderrLines.slice(-20).join('\n')}`,
            ),
          ),
        timeoutMs,
      );
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(
          new Error(
            `${this.label} exited (${code}) before printing ${String(match)}\n${this.lines.slice(-20).join('\n')}\n${this.stderrLines.slice(-20).join('\n')}`,
          ),
        );
      });
      this.waiters.push({
        match: test,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<number | null> {
    if (!this.running) return this.child.exitCode;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
