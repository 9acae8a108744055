import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Temporary directories made by a test file; `removeAll` in `afterEach`/`afterAll`. */
export class TempDirs {
  #paths: string[] = [];

  make(): string {
    const path = mkdtempSync(join(tmpdir(), 'pm-virtual-printer-'));
    this.#paths.push(path);
    return path;
  }

  removeAll(): void {
    for (const path of this.#paths.splice(0)) rmSync(path, { recursive: true, force: true });
  }
}
