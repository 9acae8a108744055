import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file in the store's directory that the process holding the store rewrites. */
export const OWNER_FILE = 'printermaster-owner';

/**
 * Tells whether the embedded store's files were replaced under the process that has them open:
 * by an operator unpacking an archive of the checkout, store included, over a running gateway (a
 * rollback done with `tar -xzf`). tar writes into the existing files, so their inodes do not
 * change; instead the process keeps a file of its own there, with a token and a count it rewrites
 * at every check. Unpacked files bring back an older content of it, however recent the archive is
 * (down to one check period).
 *
 * Only a file found with other content, or gone, counts: a read or write that fails (no file
 * descriptors left, a full disk) skips the check, so a busy or full machine never takes the store
 * away from its own process. The file is replaced whole (written aside, then renamed), so a failed
 * write leaves the last content, which the next check still expects.
 */
export class StoreOwnership {
  readonly #path: string;
  readonly #token = randomUUID();
  #count = 0;
  /** What the file holds since the last write that succeeded; undefined before the first. */
  #expected: string | undefined;
  #replaced = false;

  /** Writes the file at once: call it when the store has just been opened. */
  constructor(pgdataDir: string) {
    this.#path = join(pgdataDir, OWNER_FILE);
    this.#write();
  }

  /** Whether a check found the store's files replaced. */
  get replaced(): boolean {
    return this.#replaced;
  }

  /** True once the store's files were found replaced (and from then on); else rewrites the file. */
  check(): boolean {
    if (this.#replaced) return true;
    if (this.#expected === undefined) {
      this.#write();
      return false;
    }
    let found: string;
    try {
      found = readFileSync(this.#path, 'utf8');
    } catch (err) {
      // Gone: replaced by an archive without it. Any other failure says nothing about the files.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return false;
      found = '';
    }
    if (found !== this.#expected) {
      this.#replaced = true;
      return true;
    }
    this.#write();
    return false;
  }

  #write(): void {
    const next = `${this.#token} ${this.#count + 1}\n`;
    const aside = `${this.#path}.${process.pid}.tmp`;
    try {
      writeFileSync(aside, next);
      renameSync(aside, this.#path);
      this.#count += 1;
      this.#expected = next;
    } catch {
      // Not written: the file keeps the content expected so far.
    }
  }
}
