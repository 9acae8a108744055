import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectionQuality, type PrintJobView } from '@printermaster/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildProcessHandle, CLI_ENTRY } from '../../packages/cli/dist/child-process-handle.js';
import {
  AgentProcess,
  baseEnv,
  E2E_TIMEOUT_MS,
  FAST_AGENT_ENV,
  GatewayProcess,
  markedTicket,
  PrinterProcess,
  until,
} from './system.js';

describe('the agent against a real gateway and virtual printer', { timeout: E2E_TIMEOUT_MS }, () => {
  const root = mkdtempSync(join(tmpdir(), 'pm-agent-'));
  const gateway = new GatewayProcess(join(root, 'gateway'));
  const printer = new PrinterProcess(join(root, 'tickets'));
  const agent = new AgentProcess(join(root, 'agent'));
  let printerId = '';

  beforeAll(async () => {
    await gateway.start();
    await printer.start();
    await agent.start(gateway, printer);
    printerId = await until(
      async () => {
        const { body } = await gateway.api<{ printers: { id: string; name: string; status: string }[] }>(
          'GET',
          '/printing/printers',
        );
        return body.printers.find((p) => p.name === 'kitchen')?.id;
      },
      60_000,
      'the printer',
    );
  }, E2E_TIMEOUT_MS);
  afterAll(async () => {
    await agent.proc?.stop();
    await gateway.proc?.stop();
    await printer.proc?.stop();
    rmSync(root, { recursive: true, force: true });
  }, E2E_TIMEOUT_MS);

  it('reports the printer it was given, with its real status', async () => {
    const { body } = await gateway.api<{ printer: { status: string; ip: string; port: number; connection: string } }>(
      'GET',
      `/printing/printers/${printerId}`,
    );
    expect(body.printer).toMatchObject({
      status: 'online',
      ip: '127.0.0.1',
      port: printer.port,
      connection: 'network',
    });
  });

  it('answers a printer test by printing a test page on the printer', async () => {
    const before = printer.tickets().length;
    const res = await gateway.api<Record<string, unknown>>('POST', `/printing/printers/${printerId}/test`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, outcome: 'printed', sourceClient: 'v2_agent' });
    const page = printer.tickets().slice(before);
    expect(page).toHaveLength(1);
    expect(page[0]?.text).toContain('PrinterMaster test page');
    expect(page[0]?.text).toContain(String(res.body.correlationId));
  });

  it('reports paper out to the gateway, and a test then fails with the reason', async () => {
    await printer.setFaults({ paperOut: true });
    await until(
      async () => {
        const { body } = await gateway.api<{ printer: { status: string } }>('GET', `/printing/printers/${printerId}`);
        return body.printer.status === 'error';
      },
      15_000,
      'the printer status to become error',
    );
    const res = await gateway.api<Record<string, unknown>>('POST', `/printing/printers/${printerId}/test`);
    expect(res.body).toMatchObject({ success: false, outcome: 'failed' });
    expect(String(res.body.error)).toMatch(/paper out/);
    await printer.setFaults({ paperOut: false });
    await until(
      async () => {
        const { body } = await gateway.api<{ printer: { status: string } }>('GET', `/printing/printers/${printerId}`);
        return body.printer.status === 'online';
      },
      15_000,
      'the printer to be online again',
    );
  });

  it('prints several copies and shows its journal with `agent status`', async () => {
    const res = await gateway.api<{ job: PrintJobView }>('POST', '/printing/jobs', {
      printerId,
      content: markedTicket('Mcopies'),
      copies: 2,
    });
    await until(
      async () =>
        (await gateway.api<{ job: PrintJobView }>('GET', `/printing/jobs/${res.body.job.id}`)).body.job.state ===
        'completed',
      20_000,
      'completed',
    );
    expect(printer.tickets().filter((t) => t.text.includes('JOB Mcopies'))).toHaveLength(2);
    // The agent's reports of one job reach the gateway in order, even with reports of other jobs in flight.
    const { body } = await gateway.api<{ job: PrintJobView }>('GET', `/printing/jobs/${res.body.job.id}`);
    expect(body.job.events?.map((e) => e.state)).toEqual(['queued', 'sent', 'accepted', 'printing', 'completed']);
    const out = execFileSync(process.execPath, [CLI_ENTRY, 'agent', 'status', '--journal', agent.journalDir], {
      encoding: 'utf8',
    });
    const summary = JSON.parse(out) as {
      jobsByState: Record<string, number>;
      lastOutcomeByPrinter: Record<string, { state: string }>;
    };
    expect(summary.jobsByState.completed).toBeGreaterThanOrEqual(1);
    expect(summary.lastOutcomeByPrinter.kitchen?.state).toBe('completed');
  });

  it('keeps running and retrying while its branch is deactivated, and is back once it is active again', async () => {
    let exitCode: number | null | undefined;
    void agent.proc.exited.then((code) => {
      exitCode = code;
    });
    const listed = async () => (await gateway.api('GET', '/printing/desktop-health/e2e-agent')).status === 200;
    const refusals = async () => {
      const text = await (await fetch(`${gateway.base}/metrics`)).text();
      const line = /^printermaster_handshake_rejections_total\{kind="agent",code="BRANCH_INACTIVE"\} (\d+)/m.exec(text);
      return Number(line?.[1] ?? 0);
    };
    const { body } = await gateway.api<{ branches: { id: string }[] }>('GET', '/admin/branches');
    const branchId = body.branches[0]?.id as string;

    expect((await gateway.api('POST', `/admin/branches/${branchId}/deactivate`)).status).toBe(200);
    await until(async () => !(await listed()), 30_000, 'the agent dropped');
    // Refused again and again: each retry is a handshake the gateway counts, from a process still alive.
    await until(async () => (await refusals()) >= 3, 60_000, 'three refused retries');
    expect(exitCode).toBeUndefined();

    expect((await gateway.api('POST', `/admin/branches/${branchId}/activate`)).status).toBe(200);
    await until(listed, 60_000, 'the agent back');
    expect(exitCode).toBeUndefined();
    const res = await gateway.api<{ job: PrintJobView }>('POST', '/printing/jobs', {
      printerId,
      content: markedTicket('Mreactivated'),
    });
    expect(res.status).toBe(202);
    await until(
      async () => printer.tickets().some((t) => t.text.includes('JOB Mreactivated')),
      30_000,
      'the ticket after reactivation',
    );
  });
});

describe('agent health reporting and CUPS queues', { timeout: E2E_TIMEOUT_MS }, () => {
  const root = mkdtempSync(join(tmpdir(), 'pm-agent2-'));
  const gateway = new GatewayProcess(join(root, 'gateway'));
  let agentProc: ChildProcessHandle | undefined;

  afterAll(async () => {
    await agentProc?.stop();
    await gateway.proc?.stop();
    rmSync(root, { recursive: true, force: true });
  }, E2E_TIMEOUT_MS);

  it('prints to a CUPS queue found with lpstat through `lp -d QUEUE -o raw`, and sends health reports', async () => {
    await gateway.start();
    // Stand-ins for the CUPS command-line tools: they record what they were asked and take the bytes.
    const bin = join(root, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    const spool = join(root, 'spool.bin');
    const argsLog = join(root, 'lp-args.txt');
    writeFileSync(
      join(bin, 'lpstat'),
      `#!/bin/sh\nif [ "$1" = "-e" ]; then echo Bar_Printer; exit 0; fi\necho "printer $2 is idle.  enabled since Sun"\n`,
    );
    writeFileSync(
      join(bin, 'lp'),
      `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsLog}'\ncat >> '${spool}'\necho "request id is $2-1 (1 file(s))"\n`,
    );
    chmodSync(join(bin, 'lpstat'), 0o755);
    chmodSync(join(bin, 'lp'), 0o755);
    agentProc = new ChildProcessHandle(
      'agent',
      ['agent', '--server', gateway.base, '--license', gateway.licenseKey, '--journal', join(root, 'agent')],
      {
        ...baseEnv(),
        ...FAST_AGENT_ENV,
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        PRINTERMASTER_AGENT_PING_INTERVAL_MS: '200',
        PRINTERMASTER_AGENT_HEALTH_REPORT_INTERVAL_MS: '1000',
      },
    );
    // Reported once the agent is connected and has listed the queues.
    const printer = await until(
      async () => {
        const { body } = await gateway.api<{ printers: { id: string; name: string; connection: string }[] }>(
          'GET',
          '/printing/printers',
        );
        return body.printers.find((p) => p.name === 'Bar_Printer');
      },
      120_000,
      'the CUPS queue to be reported',
    );
    expect(printer.connection).toBe('system');
    const job = await gateway.api<{ job: PrintJobView }>('POST', '/printing/jobs', {
      printerId: printer.id,
      content: markedTicket('Mcups; rm -rf /'),
    });
    await until(
      async () =>
        (await gateway.api<{ job: PrintJobView }>('GET', `/printing/jobs/${job.body.job.id}`)).body.job.state ===
        'completed',
      20_000,
      'completed',
    );
    expect(readFileSync(argsLog, 'utf8').trim().split('\n')).toEqual(['-d', 'Bar_Printer', '-o', 'raw']);
    expect(readFileSync(spool).toString('latin1')).toContain('JOB Mcups; rm -rf /');

    // The one agent, by the device id it made up; then its entry once a health report is in.
    const { body: list } = await gateway.api<{ healthMetrics: { deviceId: string }[] }>(
      'GET',
      '/printing/desktop-health',
    );
    const deviceId = list.healthMetrics[0]?.deviceId ?? '';
    expect(deviceId).toMatch(/^agent-/);
    const report = await until(
      async () => {
        const { body } = await gateway.api<Record<string, unknown>>('GET', `/printing/desktop-health/${deviceId}`);
        return body.lastHealthReport ? body : undefined;
      },
      30_000,
      'a health report at the gateway',
    );
    // Measured on a shared machine: only the consistency of the report is checked, not its speed.
    expect(typeof report.averageLatency).toBe('number');
    expect(report.connectionQuality).toBe(
      connectionQuality(report.averageLatency as number, report.packetLossRate as number),
    );
  });
});
