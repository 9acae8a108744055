import { resolve } from 'node:path';
import {
  type AdminRequest,
  adminSocketPath,
  DataDirLock,
  DataDirLockedError,
  sendAdminCommand,
} from '@printermaster/server';

/**
 * Sends `request` to the gateway that holds the embedded store in `dataDir`, through its admin
 * socket. When the lock's owner is alive but its socket is not there (a gateway still starting
 * or stopping), the command fails with one line instead of opening the store beside it: two
 * processes in one PGlite directory corrupt it.
 */
export async function askRunningGateway(dataDir: string, request: AdminRequest, timeoutMs?: number): Promise<unknown> {
  const path = adminSocketPath(dataDir);
  try {
    return await sendAdminCommand(path, request, timeoutMs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ECONNREFUSED') throw err;
    throw new Error(
      `the process holding ${resolve(dataDir)} (pid ${DataDirLock.ownerPid(dataDir) ?? 'unknown'}) does not answer on ${path}: ` +
        'a gateway still starting or stopping, or one without its admin socket; try again in a moment. ' +
        'The store is not opened while another process holds it',
    );
  }
}

/** A data-directory lock error as one line for the operator, or `undefined` for any other error. */
export function lockErrorLine(err: unknown): string | undefined {
  return err instanceof DataDirLockedError ? err.message : undefined;
}
