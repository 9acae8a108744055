import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PrintJobView } from '@printermaster/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ENTRY } from '../../packages/cli/dist/child-process-handle.js';
import {
  AgentProcess,
  countMarkers,
  E2E_TIMEOUT_MS,
  GatewayProcess,
  markedTicket,
  PrinterProcess,
  printerIds,
  until,
} from './system.js';

/**
 * The branch keeps printing whatever a crash or a bad disk leaves in the agent's journal:
 * a torn last line is cut off, a line damaged before the end sets the file aside, and a job
 * whose entries were lost is reported `unconfirmed`, never printed (again).
 */
describe('a damaged agent journal never stops a branch', { timeout: E2E_TIMEOUT_MS }, () => {
  const root = mkdtempSync(join(tmpdir(), 'pm-journal-'));
  const gateway = new GatewayProcess(join(root, 'gateway'));
  const printer = new PrinterProcess(join(root, 'tickets'));
  const agent = new AgentProcess(join(root, 'agent'), 'kitchen', 'journal-agent');
  const journal = join(root, 'agent', 'journal.log');
  let printerId = '';

  const job = (id: string) => gateway.api<{ job: PrintJobView }>('GET', `/printing/jobs/${id}`);
  const waitState = (id: string, state: string) =>
    until(async () => (await job(id)).body.job.state === state, 60_000, `job ${id} to be ${state}`);
  const print = async (marker: string, usefulForMs = 300_000): Promise<string> => {
    const res = await gateway.api<{ job: PrintJobView }>('POST', '/printing/jobs', {
      printerId,
      content: markedTicket(marker),
      usefulUntil: new Date(Date.now() + usefulForMs).toISOString(),
    });
    expect(res.status).toBeLessThan(300);
    return res.body.job.id;
  };
  const agentStatus = () =>
    JSON.parse(
      execFileSync(process.execPath, [CLI_ENTRY, 'agent', 'status', '--journal', agent.journalDir], {
        encoding: 'utf8',
      }),
    ) as {
      journalDamage: { file: string; lines: number[]; unconfirmedJobIds: string[]; reported: boolean }[];
      damagedFiles: string[];
    };

  beforeAll(async () => {
    await gateway.start();
    await printer.start();
    await agent.start(gateway, printer);
    [printerId] = (await printerIds(gateway, ['kitchen'])) as [string];
  }, E2E_TIMEOUT_MS);
  afterAll(async () => {
    await agent.proc?.stop();
    await gateway.proc?.stop();
    await printer.proc?.stop();
    rmSync(root, { recursive: true, force: true });
  }, E2E_TIMEOUT_MS);

  it('cuts a torn last line off and prints across two kill -9 restarts', async () => {
    await waitState(await print('Mtorn-before'), 'completed');
    await agent.proc.stop('SIGKILL');
    appendFileSync(journal, '{"k":"state","id":"abc');
    await agent.start(gateway, printer);
    await waitState(await print('Mtorn-after'), 'completed');
    await agent.proc.stop('SIGKILL');
    await agent.start(gateway, printer);
    await waitState(await print('Mtorn-again'), 'completed');
    const counts = countMarkers(printer.tickets());
    for (const m of ['Mtorn-before', 'Mtorn-after', 'Mtorn-again']) expect(counts.get(m)).toBe(1);
    expect(agentStatus().journalDamage).toEqual([]);
  });

  it('sets a journal damaged in the middle aside, unconfirms the job it lost, tells the gateway and goes on', async () => {
    // A job the printer cannot take yet stays open in the journal while the agent is killed.
    await printer.setFaults({ offline: true });
    const lost = await print('Mlost');
    await waitState(lost, 'accepted');
    await agent.proc.stop('SIGKILL');
    const lines = readFileSync(journal, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('"k":"job"') && l.includes(lost));
    expect(at).toBeGreaterThanOrEqual(0);
    // A bad sector: the job's own entry is unreadable, the lines after it are fine.
    lines[at] = `{"k":"job","job":{"id":"${lost}",\u0000\u0000\u0000garbage`;
    writeFileSync(journal, lines.join('\n'));

    await printer.setFaults({ offline: false });
    await agent.start(gateway, printer);
    await waitState(lost, 'unconfirmed');
    const next = await print('Mafter-damage');
    await waitState(next, 'completed');
    expect(countMarkers(printer.tickets()).get('Mlost')).toBeUndefined();
    expect(countMarkers(printer.tickets()).get('Mafter-damage')).toBe(1);

    const health = await until(
      async () => {
        const { body } = await gateway.api<{ journalDamage?: { file: string; unconfirmedJobIds: string[] } }>(
          'GET',
          '/printing/desktop-health/journal-agent',
        );
        return body.journalDamage;
      },
      20_000,
      'the damage notice at the gateway',
    );
    expect(health.unconfirmedJobIds).toContain(lost);
    const status = agentStatus();
    expect(status.damagedFiles).toEqual([health.file]);
    expect(status.journalDamage).toHaveLength(1);
    expect(status.journalDamage[0]).toMatchObject({ file: health.file, lines: [at + 1] });
    expect(status.journalDamage[0]?.unconfirmedJobIds).toContain(lost);
  });
});
