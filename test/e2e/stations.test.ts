import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PrinterView, PrintJobView } from '@printermaster/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('stations with ordered failover (real gateway, one agent, two printers)', { timeout: E2E_TIMEOUT_MS }, () => {
  const root = mkdtempSync(join(tmpdir(), 'pm-stations-'));
  const gateway = new GatewayProcess(join(root, 'gateway'));
  const grill1 = new PrinterProcess(join(root, 'grill-1'));
  const grill2 = new PrinterProcess(join(root, 'grill-2'));
  // The agent asks its printers every 250 ms: a fault reaches the gateway at once.
  const agent = new AgentProcess(
    join(root, 'agent'),
    'grill-1',
    'station-agent',
    { PRINTERMASTER_AGENT_STATUS_POLL_INTERVAL_MS: '250' },
    [{ name: 'grill-2', printer: grill2 }],
  );
  let first = '';
  let second = '';
  let stationId = '';
  let branchId = '';

  beforeAll(async () => {
    await gateway.start();
    await grill1.start();
    await grill2.start();
    await agent.start(gateway, grill1);
    [first, second] = (await printerIds(gateway, ['grill-1', 'grill-2'])) as [string, string];
    branchId = (await gateway.api<{ printer: PrinterView }>('GET', `/printing/printers/${first}`)).body.printer
      .branchId;
    const created = await gateway.api<{ station: { id: string; printerIds: string[] } }>('POST', '/printing/stations', {
      branchId,
      name: 'Grill',
      printerIds: [first, second],
    });
    expect(created.status).toBe(201);
    stationId = created.body.station.id;
  }, E2E_TIMEOUT_MS);
  afterAll(async () => {
    await agent.proc?.stop();
    await gateway.proc?.stop();
    await grill1.proc?.stop();
    await grill2.proc?.stop();
    rmSync(root, { recursive: true, force: true });
  }, E2E_TIMEOUT_MS);

  const submit = async (marker: string) => {
    const res = await gateway.api<{ job: PrintJobView }>('POST', '/printing/jobs', {
      stationId,
      content: markedTicket(marker),
      type: 'kitchen',
    });
    expect(res.status).toBe(202);
    return res.body.job;
  };
  const job = async (id: string) => (await gateway.api<{ job: PrintJobView }>('GET', `/printing/jobs/${id}`)).body.job;
  const status = async (id: string) =>
    (await gateway.api<{ printer: PrinterView }>('GET', `/printing/printers/${id}`)).body.printer;
  const notReady = (id: string) =>
    until(async () => ((await status(id)).statusReason === 'paper_out' ? true : undefined), 30_000, `${id} paper out`);
  const ready = (id: string) =>
    until(async () => ((await status(id)).status === 'online' ? true : undefined), 30_000, `${id} ready`);

  it('sends a station job to its first ready printer', async () => {
    const marker = `Mfirst-${randomUUID().slice(0, 6)}`;
    const sent = await submit(marker);
    expect([sent.printerId, sent.stationId]).toEqual([first, stationId]);
    await until(async () => (await job(sent.id)).state === 'completed', 60_000, 'the ticket printed');
    expect(countMarkers(grill1.tickets()).get(marker)).toBe(1);
  });

  it('moves the jobs waiting on a printer that is out of paper to the next one when it is ready, each once with the MOVED line, and the first prints a notice when it is back', async () => {
    const run = randomUUID().slice(0, 6);
    await grill1.setFaults({ paperOut: true });
    await grill2.setFaults({ paperOut: true });
    await notReady(first);
    await notReady(second);
    // No printer of the station is ready: the tickets wait, unsent, on the first.
    const waiting = [];
    for (let i = 0; i < 3; i++) waiting.push(await submit(`Mwait${i}-${run}`));
    for (const w of waiting) expect([w.printerId, (await job(w.id)).state]).toEqual([first, 'queued']);

    await grill2.setFaults({ paperOut: false });
    for (const w of waiting) {
      const done = await until(
        async () => {
          const j = await job(w.id);
          return j.state === 'completed' ? j : undefined;
        },
        60_000,
        `ticket ${w.id} printed on the second printer`,
      );
      expect(done.printerId).toBe(second);
      expect(done.events?.some((e) => e.reason?.startsWith('moved from grill-1 to grill-2'))).toBe(true);
    }
    const onSecond = grill2.tickets();
    const counts = countMarkers(onSecond);
    for (let i = 0; i < 3; i++) expect(counts.get(`Mwait${i}-${run}`)).toBe(1);
    const moved = onSecond.filter((t) => t.text.includes(`-${run}`));
    for (const t of moved) expect(t.text).toContain('MOVED FROM GRILL-1');
    expect(countMarkers(grill1.tickets()).get(`Mwait0-${run}`)).toBeUndefined();

    const feed = await gateway.api<{ events: { type: string; data: { jobId: string; stationId: string } }[] }>(
      'GET',
      '/printing/events?types=job.moved&limit=100',
    );
    const announced = feed.body.events.filter((e) => e.data.stationId === stationId).map((e) => e.data.jobId);
    expect(announced.sort()).toEqual(waiting.map((w) => w.id).sort());
    const metrics = await (await fetch(`${gateway.base}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`printermaster_station_moves_total\\{[^}]*station="${stationId}"[^}]*\\} 3`));

    // Back in service, the first printer says what went elsewhere.
    await grill1.setFaults({ paperOut: false });
    await ready(first);
    const notice = await until(
      () => grill1.tickets().find((t) => t.text.includes('WHILE GRILL-1 WAS NOT READY')),
      60_000,
      'the notice on the first printer',
    );
    expect(notice.text).toContain('3 tickets printed elsewhere');
    for (const w of waiting) expect(notice.text).toContain(`#${w.id.slice(0, 8)} -> grill-2`);
  });

  it('refuses a job naming both a printer and a station, a station of nothing, and a printer of another branch in a station', async () => {
    const both = await gateway.api<{ code: string }>('POST', '/printing/jobs', {
      stationId,
      printerId: first,
      content: markedTicket('Mboth'),
    });
    expect([both.status, both.body.code]).toEqual([400, 'BAD_REQUEST']);
    const unknown = await gateway.api<{ code: string }>('POST', '/printing/jobs', {
      stationId: randomUUID(),
      content: markedTicket('Mnone'),
    });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'STATION_NOT_FOUND']);
    const foreign = await gateway.api<{ code: string }>('POST', '/printing/stations', {
      branchId,
      name: 'Bar',
      printerIds: [first, randomUUID()],
    });
    expect([foreign.status, foreign.body.code]).toEqual([404, 'PRINTER_NOT_FOUND']);
    const duplicate = await gateway.api<{ code: string }>('POST', '/printing/stations', {
      branchId,
      name: 'Grill',
      printerIds: [second],
    });
    expect([duplicate.status, duplicate.body.code]).toEqual([409, 'CONFLICT']);
  });
});
