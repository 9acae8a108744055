import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
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
 */
export class StoreOwnership {
  readonly #path: string;
  readonly #token = randomUUID();
  #count = 0;
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
    let found = '';
    try {
      found = readFileSync(this.#path, 'utf8');
    } catch {
      // Gone: replaced by an archive without it.
    }
    if (found !== this.#content()) {
      this.#replaced = true;
      return true;
    }
    this.#write();
    return false;
  }

  #content(): string {
    return `${this.#token} ${this.#count}\n`;
  }

  #write(): void {
    this.#count += 1;
    writeFileSync(this.#path, this.#content());
  }
}
