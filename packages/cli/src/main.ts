import { existsSync } from 'node:fs';
import { MAIN_USAGE } from './main-usage.js';

type Handler = (argv: string[]) => Promise<number>;

// Every command is loaded on demand: a branch PC running the agent never loads the server code,
// and a command does not pay for loading the others (the server alone takes seconds on a busy PC).
const commands: Record<string, Handler> = {
  serve: async (argv) => (await import('./serve-command.js')).serveCommand(argv),
  migrate: async (argv) => (await import('./migrate-command.js')).migrateCommand(argv),
  admin: async (argv) => (await import('./admin-command.js')).adminCommand(argv),
  agent: async (argv) => {
    const { runAgentCli } = await import('@printermaster/agent');
    return runAgentCli(argv, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) });
  },
  'virtual-printer': async (argv) => {
    const { runVirtualPrinterCli } = await import('@printermaster/virtual-printer');
    return runVirtualPrinterCli(argv, {
      stdout: (s) => process.stdout.write(s),
      stderr: (s) => process.stderr.write(s),
    });
  },
  backup: async (argv) => {
    const { backupCommand } = await import('./backup-commands.js');
    return backupCommand(argv, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
  },
  restore: async (argv) => {
    const { restoreCommand } = await import('./backup-commands.js');
    return restoreCommand(argv, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
  },
  demo: async (argv) => {
    const { runDemo } = await import('./demo.js');
    return runDemo(
      argv,
      (s) => process.stdout.write(s),
      (s) => process.stderr.write(s),
    );
  },
  health: async (argv) => {
    const { healthCommand } = await import('./health-command.js');
    return healthCommand(argv, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
  },
  smoke: async (argv) => {
    const { smokeCommand } = await import('./smoke-command.js');
    return smokeCommand(argv, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
  },
  version: async () => {
    const { VERSION } = await import('@printermaster/server');
    process.stdout.write(`${VERSION}\n`);
    return 0;
  },
};

/**
 * Node's own options given to the script instead of to node, as in
 * `pm2 start main.js -- --max-old-space-size=4096` (the operators' runbook): they can no
 * longer take effect in this process, so they are named on stderr and set aside.
 */
function setAsideNodeOptions(argv: string[]): string[] {
  const isNodeOption = (a: string) =>
    a.startsWith('--') && process.allowedNodeEnvironmentFlags.has(a.split('=')[0] as string);
  const nodeOptions = argv.filter(isNodeOption);
  if (nodeOptions.length > 0) {
    process.stderr.write(
      `printermaster: ${nodeOptions.join(' ')} ${nodeOptions.length === 1 ? 'is an option' : 'are options'} of node, ` +
        'not of printermaster, and cannot take effect once the process runs; give ' +
        `${nodeOptions.length === 1 ? 'it' : 'them'} to node instead (pm2: --node-args="${nodeOptions.join(' ')}", ` +
        `or NODE_OPTIONS="${nodeOptions.join(' ')}"). Going on without.\n`,
    );
  }
  return argv.filter((a) => !isNodeOption(a));
}

/** `.env` in the working directory, as operators keep settings next to the process; the environment wins. */
function loadDotEnv(): void {
  if (!existsSync('.env')) return;
  try {
    process.loadEnvFile('.env');
  } catch (err) {
    process.stderr.write(`printermaster: .env could not be read: ${(err as Error).message}\n`);
  }
}

async function main(rawArgv: string[]): Promise<number> {
  const argv = setAsideNodeOptions(rawArgv);
  const [name = 'serve', ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(MAIN_USAGE);
    return 0;
  }
  // The agent and the virtual printer run on branch PCs with their own settings, not the gateway's .env.
  if (name !== 'agent' && name !== 'virtual-printer') loadDotEnv();
  if (name === '--version') return commands.version?.([]) ?? 0;
  const handler = commands[name];
  if (!handler) {
    process.stderr.write(`printermaster: unknown command "${name}"\n\n${MAIN_USAGE}`);
    return 2;
  }
  return handler(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    // Exit explicitly: under pm2 (cluster mode) the IPC channel would keep a drained gateway alive.
    process.exitCode = code;
    if (process.argv[2] === 'serve' || process.send) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`printermaster: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
    // A failed start must end the process: under pm2 the IPC channel (and anything a half-done
    // start left open) would keep it alive, and pm2 would never restart it.
    if (process.argv[2] === 'serve' || process.send) process.exit(1);
  },
);
