import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Seed files read by this process, by path: a process that opens several stores reads each once. */
const read = new Map<string, Promise<Blob>>();

/**
 * PGlite's options to start a new embedded store from a backup (PRINTERMASTER_STORE_SEED): for an
 * in-memory store, and for a data directory holding no store yet; nothing for one that holds a
 * store, which is never overwritten. Starting from a backup of a migrated store skips PostgreSQL's
 * initdb and the migrations the backup has, the bulk of opening a new store (about 2 s of CPU on
 * the 2-core machine). Throws, naming the variable, when the file cannot be read.
 */
export async function seedOptions(dataDir: string, seed: string): Promise<{ loadDataDir?: Blob }> {
  if (dataDir !== 'memory' && existsSync(join(dataDir, 'pgdata', 'PG_VERSION'))) return {};
  let bytes = read.get(seed);
  if (!bytes) {
    bytes = readFile(seed).then((buffer) => new Blob([buffer]));
    read.set(seed, bytes);
    // A failed read is not kept: the file may be there on the next try.
    bytes.catch(() => read.delete(seed));
  }
  try {
    return { loadDataDir: await bytes };
  } catch (err) {
    throw new Error(`PRINTERMASTER_STORE_SEED: ${seed} cannot be read: ${(err as Error).message}`);
  }
}
