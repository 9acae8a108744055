import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Agent, type AgentPrinter } from './agent.js';
import { createAgentLogger } from './agent-logger.js';
import { CupsPrinter, discoverCupsQueues } from './cups-printer.js';
import { loadOrCreateDeviceId } from './device-id.js';
import { summarizeJournal } from './journal-summary.js';
import { TcpPrinter } from './tcp-printer.js';

export const AGENT_VERSION = '2.1.0';

export const AGENT_USAGE = `Usage: printermaster agent [options]
       printermaster agent status [--journal DIR]

Runs the branch agent: connects to the gateway with a licence key, reports the
branch's printers and prints the jobs the gateway sends, each exactly once.

Options (each also from the environment or a JSON config file):
  --server URL          Gateway URL                      PRINTERMASTER_SERVER_URL
  --license KEY         Licence key (UUID)               PRINTERMASTER_LICENSE_KEY
  --printer NAME=URI    A printer; repeat for several    PRINTERMASTER_PRINTERS (comma-separated)
                        URI: tcp://HOST:PORT (raw 9100) or cups://QUEUE
  --journal DIR         Journal directory                PRINTERMASTER_JOURNAL_DIR (default ./agent-data)
  --device-id ID        Override the stable device id    PRINTERMASTER_DEVICE_ID (default: made once, kept in the journal)
  --no-cups             Do not add CUPS queues found with lpstat
  --standby-group NAME  Pair with another PC's agent     PRINTERMASTER_AGENT_STANDBY_GROUP (default: none)
                        for the same printers: one prints, the other stands by
  --config FILE         JSON: {"server", "license", "printers": {"name": "uri"}, "journal", "deviceId", "cups"}
  --log-level LEVEL     debug, info, warn, error (default info)
  --help

Timings (milliseconds, environment only): PRINTERMASTER_AGENT_PING_INTERVAL_MS (15000),
PRINTERMASTER_AGENT_HEALTH_REPORT_INTERVAL_MS (300000), PRINTERMASTER_AGENT_STATUS_POLL_INTERVAL_MS (1000),
PRINTERMASTER_AGENT_RECONNECT_BASE_MS (1000), PRINTERMASTER_AGENT_RECONNECT_MAX_MS (30000),
PRINTERMASTER_AGENT_RETRY_BASE_MS (1000), PRINTERMASTER_AGENT_RETRY_MAX_MS (30000).

Example:
  npx printermaster agent --server http://localhost:3001 --license <key> --printer kitchen=tcp://127.0.0.1:9100
`;

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Stops the agent (tests); SIGTERM/SIGINT do the same. */
  signal?: AbortSignal;
}

interface FileConfig {
  server?: string;
  license?: string;
  printers?: Record<string, string>;
  journal?: string;
  deviceId?: string;
  cups?: boolean;
}

/** `printermaster agent …`; resolves with the exit code once the agent stops. */
export async function runAgentCli(argv: string[], cli: CliIo): Promise<number> {
  const env = cli.env ?? process.env;
  if (argv[0] === 'status') return status(argv.slice(1), cli, env);
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        server: { type: 'string' },
        license: { type: 'string' },
        printer: { type: 'string', multiple: true },
        journal: { type: 'string' },
        'device-id': { type: 'string' },
        'no-cups': { type: 'boolean' },
        'standby-group': { type: 'string' },
        config: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    cli.stderr(`printermaster agent: ${(err as Error).message}\n\n${AGENT_USAGE}`);
    return 2;
  }
  if (values.help) {
    cli.stdout(AGENT_USAGE);
    return 0;
  }
  let file: FileConfig = {};
  if (typeof values.config === 'string') {
    try {
      file = JSON.parse(readFileSync(values.config, 'utf8')) as FileConfig;
    } catch (err) {
      cli.stderr(`printermaster agent: cannot read --config ${values.config}: ${(err as Error).message}\n`);
      return 2;
    }
  }
  const problems: string[] = [];
  const standbyGroup = (values['standby-group'] as string | undefined) ?? env.PRINTERMASTER_AGENT_STANDBY_GROUP;
  if (standbyGroup !== undefined && !/^[A-Za-z0-9._-]{1,50}$/.test(standbyGroup))
    problems.push('--standby-group must be 1–50 letters, digits, dots, dashes or underscores');
  const server = (values.server as string | undefined) ?? env.PRINTERMASTER_SERVER_URL ?? file.server;
  const license = (values.license as string | undefined) ?? env.PRINTERMASTER_LICENSE_KEY ?? file.license;
  const journalDir =
    (values.journal as string | undefined) ?? env.PRINTERMASTER_JOURNAL_DIR ?? file.journal ?? './agent-data';
  if (!server || !/^https?:\/\/[^\s]+$/.test(server))
    problems.push('--server must be the gateway URL, e.g. http://localhost:3001');
  if (!license || !/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(license)) {
    problems.push('--license must be the licence key (a UUID)');
  }
  const printerSpecs = [
    ...((values.printer as string[] | undefined) ?? []),
    ...(env.PRINTERMASTER_PRINTERS ? env.PRINTERMASTER_PRINTERS.split(',') : []),
    ...Object.entries(file.printers ?? {}).map(([name, uri]) => `${name}=${uri}`),
  ];
  const printers: AgentPrinter[] = [];
  for (const spec of printerSpecs) {
    const parsed = parsePrinter(spec.trim());
    if (typeof parsed === 'string') problems.push(parsed);
    else if (!printers.some((p) => p.name === parsed.name)) printers.push(parsed);
  }
  const num = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) {
      problems.push(`${name} must be a positive whole number of milliseconds`);
      return fallback;
    }
    return n;
  };
  const timings = {
    pingIntervalMs: num('PRINTERMASTER_AGENT_PING_INTERVAL_MS', 15_000),
    healthReportIntervalMs: num('PRINTERMASTER_AGENT_HEALTH_REPORT_INTERVAL_MS', 300_000),
    statusPollIntervalMs: num('PRINTERMASTER_AGENT_STATUS_POLL_INTERVAL_MS', 1_000),
    reconnectBaseMs: num('PRINTERMASTER_AGENT_RECONNECT_BASE_MS', 1_000),
    reconnectMaxMs: num('PRINTERMASTER_AGENT_RECONNECT_MAX_MS', 30_000),
    retryBaseMs: num('PRINTERMASTER_AGENT_RETRY_BASE_MS', 1_000),
    retryMaxMs: num('PRINTERMASTER_AGENT_RETRY_MAX_MS', 30_000),
  };
  const level = ((values['log-level'] as string | undefined) ?? env.LOG_LEVEL ?? 'info') as 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level))
    problems.push('--log-level must be debug, info, warn or error');
  if (problems.length > 0) {
    cli.stderr(
      `printermaster agent: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\n\n${AGENT_USAGE}`,
    );
    return 2;
  }
  const logger = createAgentLogger(level, cli.stdout);
  const useCups = !values['no-cups'] && file.cups !== false;
  if (useCups) {
    for (const queue of await discoverCupsQueues()) {
      if (!printers.some((p) => p.name === queue)) printers.push({ name: queue, driver: new CupsPrinter(queue) });
    }
  }
  if (printers.length === 0) logger.warn({}, 'no printers configured; give --printer NAME=tcp://HOST:9100');
  const deviceId =
    (values['device-id'] as string | undefined) ??
    env.PRINTERMASTER_DEVICE_ID ??
    file.deviceId ??
    loadOrCreateDeviceId(journalDir);
  const agent = new Agent({
    serverUrl: (server as string).replace(/\/+$/, ''),
    licenseKey: license as string,
    deviceId,
    journalDir,
    printers,
    appVersion: AGENT_VERSION,
    logger,
    ...timings,
    ...(standbyGroup ? { standbyGroup } : {}),
  });
  logger.info({ deviceId, journalDir, printers: printers.map((p) => `${p.name}=${p.driver.uri}`) }, 'agent starting');
  const stopped = new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    cli.signal?.addEventListener('abort', stop, { once: true });
  });
  // An agent runs until it is told to stop: this handle keeps the process alive even when
  // nothing else is pending (every timer of the agent's own may be unref'd, and a pending
  // promise holds nothing), so a gateway that refuses it for a while never ends it with status 0.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  await Promise.race([agent.start(), stopped]);
  await stopped;
  clearInterval(keepAlive);
  logger.info({}, 'agent stopping');
  await agent.stop();
  return 0;
}

function parsePrinter(spec: string): AgentPrinter | string {
  const m = /^([^=]+)=(.+)$/.exec(spec);
  if (!m) return `--printer "${spec}" must look like NAME=tcp://HOST:PORT or NAME=cups://QUEUE`;
  const name = (m[1] as string).trim();
  const uri = (m[2] as string).trim();
  const tcp = /^tcp:\/\/([\w.-]+|\[[0-9a-f:]+\]):(\d{1,5})$/i.exec(uri);
  if (tcp) {
    const port = Number(tcp[2]);
    if (port < 1 || port > 65535) return `--printer ${name}: port must be 1–65535`;
    return { name, driver: new TcpPrinter({ host: (tcp[1] as string).replace(/^\[|\]$/g, ''), port }) };
  }
  const cups = /^cups:\/\/([\w.@-]+)$/.exec(uri);
  if (cups) return { name, driver: new CupsPrinter(cups[1] as string) };
  return `--printer ${name}: "${uri}" is not tcp://HOST:PORT or cups://QUEUE`;
}

function status(argv: string[], cli: CliIo, env: NodeJS.ProcessEnv): number {
  let values: { journal?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { journal: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    cli.stderr(`printermaster agent status: ${(err as Error).message}\n`);
    return 2;
  }
  if (values.help) {
    cli.stdout(
      'Usage: printermaster agent status [--journal DIR]\n\nShows the journal: jobs by state, the last outcome per printer, unsent reports.\n',
    );
    return 0;
  }
  const dir = values.journal ?? env.PRINTERMASTER_JOURNAL_DIR ?? './agent-data';
  cli.stdout(`${JSON.stringify(summarizeJournal(dir), null, 2)}\n`);
  return 0;
}
