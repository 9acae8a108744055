import { existsSync } from 'node:fs';
import type { Logger } from '../core/ports/logger.js';
import { adminSocketPath, HANDOVER_COMMAND, HANDOVER_PREPARE_COMMAND, sendAdminCommand } from './admin-socket.js';

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

/**
 * Tells the gateway that holds `dataDir` that a successor is getting ready to take the store over
 * (decision 0010): it closes each connection after its next answer from now on, so that by the
 * handover its keep-alive clients have moved on. A predecessor that does not know the command (an
 * older release) answers an error, which changes nothing: its stop then waits for them as before.
 */
export async function prepareHandover(dataDir: string, slot: string | undefined, logger: Logger): Promise<void> {
  const path = adminSocketPath(dataDir);
  if (!existsSync(path)) return;
  try {
    await sendAdminCommand(
      path,
      { command: HANDOVER_PREPARE_COMMAND, args: slot === undefined ? {} : { slot } },
      2_000,
    );
  } catch (err) {
    logger.info({ err }, 'the running gateway did not take the notice of a coming handover');
  }
}
