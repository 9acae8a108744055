import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runVirtualPrinterCli, VIRTUAL_PRINTER_USAGE, type VirtualPrinterCliIo } from '../src/index.js';
import { connectOutcome, DEADLINE_MS, sendJob, withDeadline } from './printer-client.js';
import { TempDirs } from './temp-dirs.js';
import { ticketJob } from './ticket-job.js';

const dirs = new TempDirs();

afterEach(() => dirs.removeAll());

/** Captures the CLI's output and lets a test wait for a JSON line with a given `msg`. */
class CapturedIo {
  readonly controller = new AbortController();
  stdout = '';
  stderr = '';
  #onOutput: (() => void) | undefined;

  get io(): VirtualPrinterCliIo {
    return {
      stdout: (text) => {
        this.stdout += text;
        this.#onOutput?.();
      },
      stderr: (text) => {
        this.stderr += text;
      },
      signal: this.controller.signal,
    };
  }

  jsonLines(): Record<string, unknown>[] {
    return this.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** Waits for the first JSON line on stdout whose `msg` is `msg`. */
  waitForLine(msg: string): Promise<Record<string, unknown>> {
    return withDeadline(
      new Promise((resolve) => {
        const check = () => {
          const line = this.jsonLines().find((l) => l.msg === msg);
          if (line) resolve(line);
        };
        this.#onOutput = check;
        check();
      }),
      `stdout line "${msg}"`,
      DEADLINE_MS,
    );
  }
}

describe('runVirtualPrinterCli', () => {
  it('prints the listening line, one line per ticket, and stops cleanly when aborted', async () => {
    const dir = dirs.make();
    const out = new CapturedIo();
    const exit = runVirtualPrinterCli(
      ['--port', '0', '--control-port', '0', '--dir', dir, '--name', 'bar', '--paper-out'],
      out.io,
    );

    const listening = await out.waitForLine('virtual printer listening');
    expect(listening).toEqual({
      msg: 'virtual printer listening',
      port: expect.any(Number),
      controlPort: expect.any(Number),
      ticketDir: dir,
    });
    const port = listening.port as number;
    const controlPort = listening.controlPort as number;

    const status = (await (await fetch(`http://127.0.0.1:${controlPort}/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ name: 'bar', port, faults: { paperOut: true } });

    await sendJob(port, ticketJob('TABLE 12', 'a'.repeat(200)));
    const faults = await fetch(`http://127.0.0.1:${controlPort}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ paperOut: false }),
    });
    expect(faults.status).toBe(200);
    expect(await out.waitForLine('ticket printed')).toEqual({
      msg: 'ticket printed',
      seq: 1,
      byteLength: ticketJob('TABLE 12', 'a'.repeat(200)).length,
      partial: false,
      firstLine: 'TABLE 12',
    });
    expect(readdirSync(dir)).toContain('000001.bin');

    out.controller.abort();
    expect(await withDeadline(exit, 'CLI exit')).toBe(0);
    expect(await connectOutcome(port)).toBe('ECONNREFUSED');
    expect(await connectOutcome(controlPort)).toBe('ECONNREFUSED');
    expect(out.jsonLines().at(-1)).toMatchObject({ msg: 'virtual printer stopped', ticketCount: 1 });
    expect(out.stderr).toBe('');
  });

  it('runs without a control endpoint or ticket directory', async () => {
    const out = new CapturedIo();
    const exit = runVirtualPrinterCli(['--port', '0', '--no-control', '--slow', '100000', '--sink'], out.io);
    const listening = await out.waitForLine('virtual printer listening');
    expect(listening).toMatchObject({ controlPort: null, ticketDir: null });
    out.controller.abort();
    expect(await withDeadline(exit, 'CLI exit')).toBe(0);
  });

  it('--help prints the usage and returns 0', async () => {
    const out = new CapturedIo();
    expect(await runVirtualPrinterCli(['--help'], out.io)).toBe(0);
    expect(out.stdout).toBe(VIRTUAL_PRINTER_USAGE);
    expect(VIRTUAL_PRINTER_USAGE).toMatch(/^Usage: printermaster virtual-printer/);
  });

  it.each([
    [['--bogus']],
    [['--port', 'abc']],
    [['--port', '70000']],
    [['--slow', '0']],
    [['--slow', '']],
    [['--drop-after-bytes', '-3']],
    [['--control-port', '9181', '--no-control']],
    [['extra-positional']],
  ])('rejects %j with the usage on stderr and exit code 2', async (argv) => {
    const out = new CapturedIo();
    expect(await runVirtualPrinterCli(argv, out.io)).toBe(2);
    expect(out.stderr).toContain(VIRTUAL_PRINTER_USAGE);
    expect(out.stdout).toBe('');
  });

  it('returns 1 when the port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const out = new CapturedIo();
      expect(await runVirtualPrinterCli(['--port', String(port), '--no-control'], out.io)).toBe(1);
      expect(out.stderr).toMatch(/cannot start: .*EADDRINUSE/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
