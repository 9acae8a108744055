import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';

describe('printermaster demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pm-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts a gateway, a virtual printer and an agent, and prints a kitchen ticket and a receipt', async () => {
    const res = await runCli(['demo', '--dir', dir, '--exit'], {}, 120_000);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('Printed 2 tickets');
    expect(res.stdout).toMatch(/KITCHEN[\s\S]*2x Margherita[\s\S]*- no basil/);
    expect(res.stdout).toMatch(/TOTAL +42\.00/);
    expect(readdirSync(join(dir, 'tickets')).filter((f) => f.endsWith('.txt'))).toHaveLength(2);
  });
});
