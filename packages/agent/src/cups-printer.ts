import { spawn } from 'node:child_process';
import { notStarted, type PrinterDriver, type PrinterReadiness, type PrintResult } from './printer-driver.js';

/** Runs a command without a shell and collects its output. */
function run(
  command: string,
  args: string[],
  input?: Uint8Array,
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input ? Buffer.from(input) : undefined);
  });
}

/**
 * A CUPS queue, printed to with `lp -d <queue> -o raw` (arguments passed
 * directly, never through a shell). CUPS owns delivery to the device, so
 * "completed" means the spooler accepted every byte.
 */
export class CupsPrinter implements PrinterDriver {
  readonly uri: string;
  readonly connection = 'system';

  constructor(readonly queue: string) {
    this.uri = `cups://${queue}`;
  }

  async checkStatus(): Promise<PrinterReadiness> {
    const res = await run('lpstat', ['-p', this.queue]);
    if (res.code !== 0) {
      const reason = res.stderr.trim() || `lpstat failed for ${this.queue}`;
      return { ready: false, status: 'offline', reason, code: 'unreachable' };
    }
    if (/disabled/i.test(res.stdout)) {
      return { ready: false, status: 'offline', reason: `queue ${this.queue} is disabled`, code: 'printer_offline' };
    }
    return { ready: true, status: /now printing/i.test(res.stdout) ? 'busy' : 'online' };
  }

  async print(bytes: Uint8Array, beforeFirstByte: () => Promise<void>): Promise<PrintResult> {
    // A disabled queue would take the job and hold it; the job waits here instead, where its
    // useful-until time still applies.
    const readiness = await this.checkStatus();
    if (!readiness.ready) return notStarted(readiness, 'queue not ready');
    await beforeFirstByte();
    const res = await run('lp', ['-d', this.queue, '-o', 'raw'], bytes);
    if (res.code === 0) return { outcome: 'completed' };
    // lp either queued the whole job or nothing; without a queued job the printer got no byte.
    if (res.code === null) return { outcome: 'failed', reason: `lp could not run: ${res.stderr.trim()}` };
    return { outcome: 'failed', reason: `lp refused the job: ${res.stderr.trim() || `exit ${res.code}`}` };
  }
}

/** CUPS queues on this machine (`lpstat -e`); empty where CUPS is not installed. */
export async function discoverCupsQueues(): Promise<string[]> {
  const res = await run('lpstat', ['-e'], undefined, 5_000);
  if (res.code !== 0) return [];
  return res.stdout
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => /^[\w.@-]+$/.test(s));
}
