import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChildProcessHandle } from '../../packages/cli/dist/child-process-handle.js';
import { freePort, waitUntilReady } from '../../packages/server/test/support/readiness.js';

/** The environment of child processes: this shell's, without settings that would change them. */
export function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env))
    if (/^(PORT|HOST|DATABASE_URL|REDIS_URL|JWT_SECRET|CORS_ORIGINS|NODE_ENV|PRINTERMASTER_)/.test(k)) delete env[k];
  return env;
}

const echo = process.env.PRINTERMASTER_E2E_ECHO
  ? (label: string, line: string) => process.stderr.write(`[${label}] ${line}\n`)
  : undefined;

/**
 * How long a test or hook that starts these processes may take, ms: a gateway opening a fresh
 * embedded store needs 14–33 s on a machine at load 10, and every child process starts node.
 */
export const E2E_TIMEOUT_MS = 240_000;

/** Fast timings so that faults play out in seconds. */
export const FAST_GATEWAY_ENV = {
  PRINTERMASTER_REDISPATCH_INTERVAL_MS: '2000',
  PRINTERMASTER_JOB_ACK_TIMEOUT_MS: '3000',
  PRINTERMASTER_EXPIRY_SWEEP_INTERVAL_MS: '300',
  // The submitters write as fast as the gateway answers; the write limits are tested elsewhere.
  PRINTERMASTER_WRITE_RATE_PER_BRANCH: '10000000',
  PRINTERMASTER_WRITE_RATE_PER_CREDENTIAL: '10000000',
  LOG_LEVEL: 'info',
};
export const FAST_AGENT_ENV = {
  PRINTERMASTER_AGENT_RECONNECT_BASE_MS: '300',
  PRINTERMASTER_AGENT_RECONNECT_MAX_MS: '2000',
  PRINTERMASTER_AGENT_RETRY_BASE_MS: '200',
  PRINTERMASTER_AGENT_RETRY_MAX_MS: '800',
  PRINTERMASTER_AGENT_PING_INTERVAL_MS: '2000',
  PRINTERMASTER_AGENT_STATUS_POLL_INTERVAL_MS: '2000',
};

/**
 * Starts a process with `launch(port)` and waits until `path` on that port answers 200. Port 0:
 * one that was free a moment ago, replaced (twice at most) when another process took it
 * meanwhile. A failure tells the process's last output lines.
 */
async function startReady(
  port: number,
  path: string,
  launch: (port: number) => ChildProcessHandle,
): Promise<{ proc: ChildProcessHandle; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const chosen = port === 0 ? await freePort() : port;
    const proc = launch(chosen);
    try {
      await waitUntilReady(`http://127.0.0.1:${chosen}${path}`, { exited: proc.exited, what: proc.label });
      return { proc, port: chosen };
    } catch (err) {
      await proc.stop('SIGKILL');
      const output = [...proc.lines, ...proc.stderrLines];
      if (port === 0 && attempt < 3 && output.some((l) => l.includes('EADDRINUSE'))) continue;
      throw new Error(`${(err as Error).message}\n${output.slice(-40).join('\n')}`);
    }
  }
}

export class GatewayProcess {
  proc!: ChildProcessHandle;
  port = 0;
  licenseKey = '';
  token = '';

  constructor(
    readonly dataDir: string,
    private readonly env: Record<string, string> = {},
    /** Credentials when another process bootstrapped the shared store. */
    credentials?: { licenseKey: string; token: string },
  ) {
    if (credentials) {
      this.licenseKey = credentials.licenseKey;
      this.token = credentials.token;
    }
  }

  /** The URL clients use: a load balancer's, when set. */
  publicBase: string | undefined;

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts it (the first time on a free port, afterwards on the same port) and waits until it is ready. */
  async start(): Promise<void> {
    const { proc, port } = await startReady(
      this.port,
      '/health/ready',
      (port) =>
        new ChildProcessHandle(
          `gateway${this.env.PRINTERMASTER_INSTANCE_ID ? `:${this.env.PRINTERMASTER_INSTANCE_ID}` : ''}`,
          ['serve'],
          {
            ...baseEnv(),
            ...FAST_GATEWAY_ENV,
            ...this.env,
            HOST: '127.0.0.1',
            PORT: String(port),
            // The address login links name: the one the tests' browser opens.
            PRINTERMASTER_PUBLIC_URL: `http://127.0.0.1:${port}`,
            PRINTERMASTER_DATA_DIR: this.dataDir,
          },
          echo,
        ),
    );
    this.proc = proc;
    this.port = port;
    if (!this.licenseKey) {
      // The first start prints them for its user, nowhere else, a moment after it is ready.
      this.licenseKey = /Licence key\s+: (\S+)/.exec(await this.proc.waitForLine(/Licence key/))?.[1] ?? '';
      this.token = /Admin JWT\s+: (\S+)/.exec(await this.proc.waitForLine(/Admin JWT/))?.[1] ?? '';
    }
  }

  async api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.publicBase ?? this.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, body: (await res.json()) as T };
  }
}

export interface TicketLine {
  seq: number;
  text: string;
  partial: boolean;
  byteLength: number;
}

export class PrinterProcess {
  proc!: ChildProcessHandle;
  port = 0;
  controlPort = 0;

  constructor(readonly ticketDir: string) {}

  /** Starts it (the first time on free ports, afterwards on the same ones) and waits until it takes tickets. */
  async start(flags: string[] = []): Promise<void> {
    // The control server starts once the printer listens, and tells its port.
    const { proc, port } = await startReady(
      this.controlPort,
      '/status',
      (controlPort) =>
        new ChildProcessHandle(
          'printer',
          [
            'virtual-printer',
            '--port',
            String(this.port),
            '--control-port',
            String(controlPort),
            '--dir',
            this.ticketDir,
            ...flags,
          ],
          baseEnv(),
          echo,
        ),
    );
    this.proc = proc;
    this.controlPort = port;
    this.port = ((await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as { port: number }).port;
  }

  async setFaults(faults: Record<string, unknown>): Promise<void> {
    const res = await fetch(`http://127.0.0.1:${this.controlPort}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(faults),
    });
    if (res.status !== 200) throw new Error(`setting faults failed: ${res.status} ${await res.text()}`);
  }

  /** Every ticket printed so far, from the printer's own record on disk. */
  tickets(): TicketLine[] {
    let text = '';
    try {
      text = readFileSync(join(this.ticketDir, 'tickets.jsonl'), 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as TicketLine);
  }
}

export class AgentProcess {
  proc!: ChildProcessHandle;

  constructor(
    readonly journalDir: string,
    private readonly printerName = 'kitchen',
    private readonly deviceId = 'e2e-agent',
    /** Settings over FAST_AGENT_ENV, e.g. a faster status poll. */
    private readonly env: Record<string, string> = {},
    /** More printers the agent drives, by name. */
    private readonly morePrinters: { name: string; printer: PrinterProcess }[] = [],
  ) {}

  /**
   * Starts it; with `waitConnected`, first waits until the gateway no longer lists this device
   * (a previous process of it was stopped), then until it lists it again: connected.
   */
  async start(gateway: GatewayProcess, printer: PrinterProcess, waitConnected = true): Promise<void> {
    if (waitConnected) await until(async () => !(await this.listedBy(gateway)), 60_000, `${this.deviceId} gone`);
    this.proc = new ChildProcessHandle(
      `agent:${this.deviceId}`,
      [
        'agent',
        '--server',
        gateway.publicBase ?? gateway.base,
        '--license',
        gateway.licenseKey,
        '--printer',
        `${this.printerName}=tcp://127.0.0.1:${printer.port}`,
        ...this.morePrinters.flatMap((p) => ['--printer', `${p.name}=tcp://127.0.0.1:${p.printer.port}`]),
        '--journal',
        this.journalDir,
        '--device-id',
        this.deviceId,
        '--no-cups',
      ],
      { ...baseEnv(), ...FAST_AGENT_ENV, ...this.env },
      echo,
    );
    if (!waitConnected) return;
    let exitCode: number | null | undefined;
    void this.proc.exited.then((code) => {
      exitCode = code;
    });
    await until(
      async () => {
        if (exitCode !== undefined) throw new Error(`agent ${this.deviceId} exited (${exitCode}) before connecting`);
        return this.listedBy(gateway);
      },
      120_000,
      `${this.deviceId} connected`,
    );
  }

  /** Whether the gateway lists this device as connected (an unreachable gateway lists nothing). */
  private async listedBy(gateway: GatewayProcess): Promise<boolean> {
    try {
      return (await gateway.api('GET', `/printing/desktop-health/${this.deviceId}`)).status === 200;
    } catch {
      return false;
    }
  }
}

/** Raw ESC/POS for one ticket that carries `marker`, so tickets can be matched to jobs. */
export function markedTicket(marker: string): string {
  return Buffer.from(`\x1b@JOB ${marker}\nTable 7: 1x Soup\n\n\n\x1dV\x00`, 'latin1').toString('base64');
}

export function countMarkers(tickets: TicketLine[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of tickets) {
    for (const m of t.text.matchAll(/JOB (M[\w-]+)/g))
      counts.set(m[1] as string, (counts.get(m[1] as string) ?? 0) + 1);
  }
  return counts;
}

export async function until<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  /** What is awaited; a function is read at the timeout, so that it can say what was seen last. */
  what: string | (() => string),
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The ids of the named printers once the gateway lists them all (an agent reports them after connecting). */
export async function printerIds(gateway: GatewayProcess, names: string[], timeoutMs = 60_000): Promise<string[]> {
  return until(
    async () => {
      const { body } = await gateway.api<{ printers: { id: string; name: string }[] }>('GET', '/printing/printers');
      const ids = names.map((n) => body.printers.find((p) => p.name === n)?.id);
      return ids.every(Boolean) ? (ids as string[]) : undefined;
    },
    timeoutMs,
    `printers ${names.join(', ')}`,
  );
}
