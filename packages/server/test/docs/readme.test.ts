import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, SETTINGS, settingsTable } from '../../src/config.js';

const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('starts with a quick start of exactly two commands', () => {
    const quick = readme.split('## Quick start')[1]?.split('```bash')[1]?.split('```')[0] ?? '';
    const commands = quick.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
    expect(commands.map((c) => c.split('#')[0]?.trim())).toEqual([
      'npm install && npm start',
      'npm install && npm test',
    ]);
  });

  it('documents every setting the gateway reads, as the code defines it', () => {
    expect(readme).toContain(settingsTable());
  });

  it('names only settings that exist, with defaults the config loader really uses', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(Number(SETTINGS.find((s) => s.name === 'PORT')?.default));
    expect(config.database.dataDir).toBe(SETTINGS.find((s) => s.name === 'PRINTERMASTER_DATA_DIR')?.default);
    expect(config.requests.printerTestTimeoutMs).toBe(15_000);
    expect(config.requests.staleSweepIntervalMs).toBe(30_000);
    // Listening early: on by default for the embedded store only (decision 0005).
    expect(config.http.listenEarly).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://127.0.0.1/x' }).http.listenEarly).toBe(false);
    expect(
      loadConfig({ DATABASE_URL: 'postgres://127.0.0.1/x', PRINTERMASTER_LISTEN_EARLY: 'true' }).http.listenEarly,
    ).toBe(true);
  });
});
