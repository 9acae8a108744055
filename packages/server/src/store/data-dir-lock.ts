import { linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
    // The lock file appears with its pid in it (a link to a file written first): a process that
    // reads it can never see it empty and take it for a stale lock while its owner writes it.
    const draft = `${path}.${process.pid}`;
    writeFileSync(draft, String(process.pid));
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          linkSync(draft, path);
          return new DataDirLock(path);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          const owner = DataDirLock.ownerPid(dataDir);
          if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
            throw new DataDirLockedError(dataDir, owner);
          }
          // Unreadable but new: a lock of an older release being written; not stale yet.
          if (owner === undefined && Date.now() - mtimeMs(path) < UNREADABLE_LOCK_GRACE_MS) {
            throw new DataDirLockedError(dataDir, undefined);
          }
          rmSync(path, { force: true });
        }
      }
      throw new DataDirLockedError(dataDir, undefined);
    } finally {
      rmSync(draft, { force: true });
    }
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

  /** Whether a live process holds the lock on `dataDir` (an unreadable lock file counts while new). */
  static isHeld(dataDir: string): boolean {
    const pid = DataDirLock.ownerPid(dataDir);
    if (pid !== undefined) return isAlive(pid);
    const path = join(dataDir, 'printermaster.lock');
    const mtime = mtimeMs(path);
    return mtime > 0 && Date.now() - mtime < UNREADABLE_LOCK_GRACE_MS;
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

/** How long a lock file without a readable pid is taken as held (being written), ms. */
const UNREADABLE_LOCK_GRACE_MS = 5_000;

/** The file's modification time, or 0 when it does not exist. */
function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
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
