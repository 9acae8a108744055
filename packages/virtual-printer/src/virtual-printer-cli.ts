import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type ControlServer, startControlServer } from './control-server.js';
import type { Faults } from './faults.js';
import type { StoredTicket } from './stored-ticket.js';
import { createVirtualPrinter, type VirtualPrinter } from './virtual-printer.js';

export const VIRTUAL_PRINTER_USAGE = `Usage: printermaster virtual-printer [options]

A TCP ESC/POS printer emulator: prints what it receives into tickets (split at
cuts), answers DLE EOT status requests and simulates printer faults. Prints one
JSON line when listening and one per ticket. SIGTERM / SIGINT stop it.

Options:
  --host HOST                 Interface to listen on (default 127.0.0.1)
  --port PORT                 Printer TCP port (default 9100; 0 = any free port)
  --dir DIR                   Keep tickets in DIR (<seq>.bin, <seq>.txt, tickets.jsonl);
                              numbering continues after the tickets already there.
                              Default: memory only
  --control-port PORT         HTTP control endpoint on 127.0.0.1 (default 9180; 0 = any free port):
                              GET /status, POST /faults, GET /tickets, GET /tickets/:seq,
                              DELETE /tickets
  --no-control                No control endpoint
  --name NAME                 Printer name shown by GET /status (default virtual-printer)
  --offline                   Start offline: connections are refused
  --paper-out                 Start out of paper: data is held until paper is back
  --cover-open                Start with the cover open: data is held until it is closed
  --paper-near-end            Start with the near-end sensor on: reported, still prints
  --slow BYTES_PER_SECOND     Read at most this many bytes per second per connection
  --drop-after-bytes N        Cut the next connection right after its N-th byte (once)
  --sink                      Benchmark mode: count tickets, keep nothing (ignores --dir)
  -h, --help                  Show this help

Example:
  printermaster virtual-printer --port 9100 --dir ./tickets
  curl -X POST localhost:9180/faults -d '{"paperOut":true}'
`;

/** Where the CLI writes, and how a caller other than a signal can stop it. */
export interface VirtualPrinterCliIo {
  /** Receives whole lines, each ending with `\n`. */
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Aborting it stops the printer as SIGTERM would (for tests and embedding). */
  signal?: AbortSignal;
}

interface CliSettings {
  host: string;
  port: number;
  ticketDir: string | undefined;
  controlPort: number | undefined;
  name: string | undefined;
  faults: Partial<Faults>;
  sink: boolean;
}

class UsageError extends Error {}

const FIRST_LINE_MAX = 80;

function parsePort(flag: string, value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) throw new UsageError(`--${flag} must be a port number 0-65535, got "${value}"`);
  return port;
}

function parseSettings(argv: string[]): CliSettings | 'help' {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  if (values['no-control'] && values['control-port'] !== undefined) {
    throw new UsageError('--control-port and --no-control cannot be used together');
  }
  const faults: Partial<Faults> = {
    offline: values.offline ?? false,
    paperOut: values['paper-out'] ?? false,
    coverOpen: values['cover-open'] ?? false,
    paperNearEnd: values['paper-near-end'] ?? false,
  };
  if (values.slow !== undefined) {
    const rate = Number(values.slow);
    if (!(values.slow.trim() !== '' && Number.isFinite(rate) && rate > 0)) {
      throw new UsageError(`--slow must be a number of bytes per second above 0, got "${values.slow}"`);
    }
    faults.bytesPerSecond = rate;
  }
  if (values['drop-after-bytes'] !== undefined) {
    const value = values['drop-after-bytes'];
    if (!/^\d{1,15}$/.test(value))
      throw new UsageError(`--drop-after-bytes must be an integer of 0 or more, got "${value}"`);
    faults.dropAfterBytes = Number(value);
  }
  return {
    host: values.host ?? '127.0.0.1',
    port: values.port === undefined ? 9100 : parsePort('port', values.port),
    ticketDir: values.dir === undefined ? undefined : resolve(values.dir),
    controlPort: values['no-control']
      ? undefined
      : values['control-port'] === undefined
        ? 9180
        : parsePort('control-port', values['control-port']),
    name: values.name,
    faults,
    sink: values.sink ?? false,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      dir: { type: 'string' },
      'control-port': { type: 'string' },
      'no-control': { type: 'boolean' },
      name: { type: 'string' },
      offline: { type: 'boolean' },
      'paper-out': { type: 'boolean' },
      'cover-open': { type: 'boolean' },
      'paper-near-end': { type: 'boolean' },
      slow: { type: 'string' },
      'drop-after-bytes': { type: 'string' },
      sink: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** The first line with something printed on it, trimmed and shortened for a log line. */
function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  const trimmed = line.trim();
  return trimmed.length > FIRST_LINE_MAX ? `${trimmed.slice(0, FIRST_LINE_MAX - 1)}…` : trimmed;
}

function jsonLine(fields: Record<string, unknown>): string {
  return `${JSON.stringify(fields)}\n`;
}

/** Resolves when SIGTERM or SIGINT arrives or `signal` aborts, whichever is first. */
function stopRequested(signal: AbortSignal | undefined): { stopped: Promise<string>; dispose: () => void } {
  let dispose = () => {};
  const stopped = new Promise<string>((resolve) => {
    const onSignal = (name: NodeJS.Signals) => resolve(name);
    const onAbort = () => resolve('abort');
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    signal?.addEventListener('abort', onAbort, { once: true });
    dispose = () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      signal?.removeEventListener('abort', onAbort);
    };
    if (signal?.aborted) resolve('abort');
  });
  return { stopped, dispose };
}

/**
 * `printermaster virtual-printer`: runs a virtual printer (and its control endpoint) until SIGTERM,
 * SIGINT or `io.signal`, then closes both. Returns the exit code: 0 after a clean stop or `--help`,
 * 2 for bad arguments (usage on stderr), 1 when it cannot start (port taken, ticket directory
 * not writable).
 */
export async function runVirtualPrinterCli(
  argv: string[],
  io: VirtualPrinterCliIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  },
): Promise<number> {
  let settings: CliSettings | 'help';
  try {
    settings = parseSettings(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`printermaster virtual-printer: ${error.message}\n\n${VIRTUAL_PRINTER_USAGE}`);
    return 2;
  }
  if (settings === 'help') {
    io.stdout(VIRTUAL_PRINTER_USAGE);
    return 0;
  }

  // Listen for stop requests before starting, so a signal during start-up is not lost.
  const stop = stopRequested(io.signal);
  let printer: VirtualPrinter | undefined;
  let control: ControlServer | undefined;
  try {
    printer = await createVirtualPrinter({
      host: settings.host,
      port: settings.port,
      ticketDir: settings.ticketDir,
      sink: settings.sink,
      name: settings.name,
      faults: settings.faults,
    });
    if (settings.controlPort !== undefined) {
      control = await startControlServer(printer, { host: '127.0.0.1', port: settings.controlPort });
    }
  } catch (error) {
    stop.dispose();
    await printer?.close();
    io.stderr(`printermaster virtual-printer: cannot start: ${(error as Error).message}\n`);
    return 1;
  }

  printer.on('ticket', (ticket: StoredTicket) => {
    io.stdout(
      jsonLine({
        msg: 'ticket printed',
        seq: ticket.seq,
        byteLength: ticket.byteLength,
        partial: ticket.partial,
        firstLine: firstLine(ticket.text),
      }),
    );
  });
  printer.on('error', (error: Error) => {
    io.stderr(jsonLine({ msg: 'ticket file write failed', error: error.message }));
  });
  io.stdout(
    jsonLine({
      msg: 'virtual printer listening',
      port: printer.port,
      controlPort: control?.port ?? null,
      ticketDir: printer.ticketDir ?? null,
    }),
  );

  const reason = await stop.stopped;
  stop.dispose();
  await control?.close();
  await printer.close();
  io.stdout(jsonLine({ msg: 'virtual printer stopped', reason, ticketCount: printer.ticketCount }));
  return 0;
}
