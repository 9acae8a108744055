import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * An exclusive lock on an embedded data directory. PGlite has no locking of its
 * own, and two processes writing one directory corrupt it; the lock file holds
 * the owner's pid, and a lock left by a dead process is taken over.
 */
export class DataDirLock {
  private constructor(private readonly path: string) {}

  static acquire(dataDir: string): DataDirLock {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, 'printermaster.lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(path, String(process.pid), { flag: 'wx' });
        return new DataDirLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = DataDirLock.ownerPid(dataDir);
        if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
          throw new DataDirLockedError(dataDir, owner);
        }
        rmSync(path, { force: true });
      }
    }
    throw new DataDirLockedError(dataDir, undefined);
  }

  /**
   * Like `acquire`, but waits up to `waitMs` for another process to let go —
   * the overlap of an old and a new process during a pm2 reload.
   */
  static async acquireWaiting(dataDir: string, waitMs: number): Promise<DataDirLock> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        return DataDirLock.acquire(dataDir);
      } catch (err) {
        if (!(err instanceof DataDirLockedError) || Date.now() >= deadline) throw err;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  /** The pid holding the lock on `dataDir`, or `undefined` if none (or it is unreadable). */
  static ownerPid(dataDir: string): number | undefined {
    try {
      const pid = Number.parseInt(readFileSync(join(dataDir, 'printermaster.lock'), 'utf8'), 10);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Whether a live process holds the lock on `dataDir`. */
  static isHeld(dataDir: string): boolean {
    const pid = DataDirLock.ownerPid(dataDir);
    return pid !== undefined && isAlive(pid);
  }

  release(): void {
    rmSync(this.path, { force: true });
  }
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly ownerPid: number | undefined,
  ) {
    super(
      `the data directory ${dataDir} is in use by another PrinterMaster process${ownerPid ? ` (pid ${ownerPid})` : ''}; ` +
        'stop it first, or point PRINTERMASTER_DATA_DIR elsewhere',
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
