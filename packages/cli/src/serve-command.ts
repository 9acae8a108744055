import { StartupError, startGateway } from '@printermaster/server';
import { loadConfigOrExplain } from './load-config-or-explain.js';
import { SERVE_USAGE } from './usage.js';

/** How long a process that handed its store over waits for its process manager's signal, ms. */
const HANDED_OVER_EXIT_MS = 60_000;

/** `printermaster serve`: runs the gateway until SIGTERM or SIGINT has drained it. */
export async function serveCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(SERVE_USAGE);
    return 0;
  }
  if (argv.length > 0) {
    process.stderr.write(`printermaster serve: unexpected arguments ${argv.join(' ')}\n\n${SERVE_USAGE}`);
    return 2;
  }
  const config = loadConfigOrExplain();
  if (!config) return 1;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let handedOver: () => void = () => {};
  try {
    gateway = await startGateway(config, { onHandedOver: () => handedOver() });
  } catch (err) {
    if (err instanceof StartupError || (err instanceof Error && err.name === 'DataDirLockedError')) {
      process.stderr.write(`printermaster serve: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const { logger } = gateway;
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled promise rejection'));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception; stopping');
    void gateway.stop('uncaught exception').finally(() => process.exit(1));
  });
  // pm2 `--wait-ready`: the process takes traffic from here on.
  process.send?.('ready');
  return new Promise<number>((resolve) => {
    handedOver = () => {
      logger.info('handed the data directory over; waiting for the process manager to stop this process');
      // Left alone (the successor failed to start, or this was not pm2), the process ends anyway;
      // the timer also keeps it alive until then (main exits at once on the signal).
      setTimeout(() => resolve(0), HANDED_OVER_EXIT_MS);
    };
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'signal received; draining');
      const force = setTimeout(() => {
        logger.error({ signal }, 'drain took too long; exiting');
        process.exit(1);
      }, config.shutdownTimeoutMs + 2_000);
      force.unref();
      void gateway.stop(signal).then(() => resolve(0));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}
