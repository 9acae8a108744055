import { existsSync } from 'node:fs';
import type { Logger } from '../core/ports/logger.js';
import { adminSocketPath, HANDOVER_COMMAND, sendAdminCommand } from './admin-socket.js';

/**
 * Asks the gateway that holds `dataDir` to hand the embedded store over (decision 0010). The
 * caller then waits for the data-directory lock as before, so a predecessor that does not know
 * the command (an older release) or does not answer only costs the wait it always cost.
 */
export async function requestHandover(dataDir: string, slot: string | undefined, logger: Logger): Promise<boolean> {
  const path = adminSocketPath(dataDir);
  if (!existsSync(path)) return false;
  const started = performance.now();
  try {
    const answer = (await sendAdminCommand(
      path,
      { command: HANDOVER_COMMAND, args: slot === undefined ? {} : { slot } },
      5_000,
    )) as { pid?: number };
    logger.info(
      { predecessorPid: answer?.pid, durationMs: Math.round(performance.now() - started) },
      'the running gateway agreed to hand the data directory over',
    );
    return true;
  } catch (err) {
    logger.warn({ err }, 'the running gateway did not agree to hand the data directory over; waiting for it to stop');
    return false;
  }
}
