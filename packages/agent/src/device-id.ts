import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** This machine's agent id: made once and kept in the journal directory, so it survives restarts. */
export function loadOrCreateDeviceId(journalDir: string): string {
  const path = join(journalDir, 'device-id');
  if (existsSync(path)) {
    const id = readFileSync(path, 'utf8').trim();
    if (id) return id;
  }
  mkdirSync(journalDir, { recursive: true });
  const id = `agent-${randomUUID()}`;
  writeFileSync(path, `${id}\n`, { flag: 'w' });
  return id;
}
