import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DesktopHealthDetail } from '@printermaster/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentProcess, E2E_TIMEOUT_MS, GatewayProcess, PrinterProcess, until } from './system.js';

/** Pings every 500 ms, a link given up after 1.5 s without a pong. */
const FAST_PINGS = { PRINTERMASTER_SOCKET_PING_INTERVAL_MS: '500', PRINTERMASTER_SOCKET_PING_TIMEOUT_MS: '1500' };

describe('a dropped agent link counts as a lost ping (real gateway, agent and printer)', {
  timeout: E2E_TIMEOUT_MS,
}, () => {
  const root = mkdtempSync(join(tmpdir(), 'pm-link-loss-'));
  const gateway = new GatewayProcess(join(root, 'gateway'), FAST_PINGS);
  const printer = new PrinterProcess(join(root, 'tickets'));
  const agent = new AgentProcess(join(root, 'agent'), 'kitchen', 'flaky-agent');

  beforeAll(async () => {
    await gateway.start();
    await printer.start();
    await agent.start(gateway, printer);
  }, E2E_TIMEOUT_MS);
  afterAll(async () => {
    agent.proc?.child.kill('SIGCONT');
    await agent.proc?.stop();
    await gateway.proc?.stop();
    await printer.proc?.stop();
    rmSync(root, { recursive: true, force: true });
  }, E2E_TIMEOUT_MS);

  const detail = async () => {
    const res = await gateway.api<DesktopHealthDetail>('GET', '/printing/desktop-health/flaky-agent');
    return res.status === 200 ? res.body : undefined;
  };

  it('keeps the history across the reconnection, with the drop as a lost ping in it and in the loss rate', async () => {
    const before = await until(
      async () => {
        const d = await detail();
        return d && d.metricsHistory.filter((h) => h.latency !== null).length >= 3 ? d : undefined;
      },
      60_000,
      'three answered pings',
    );
    expect(before.packetLossRate).toBe(0);
    // Stopped, the agent answers no ping: the gateway gives the link up after its ping timeout.
    agent.proc.child.kill('SIGSTOP');
    try {
      await until(async () => (await detail()) === undefined, 60_000, 'the gateway to drop the silent agent');
    } finally {
      agent.proc.child.kill('SIGCONT');
    }
    const after = await until(
      async () => {
        const d = await detail();
        return d?.metricsHistory.some((h) => h.latency === null) ? d : undefined;
      },
      60_000,
      'the agent back, with its lost ping',
    );
    expect(after.packetLossRate).toBeGreaterThan(0);
    // The answered pings from before the drop are still there, oldest first.
    expect(after.metricsHistory.slice(0, before.metricsHistory.length).map((h) => h.timestamp)).toEqual(
      before.metricsHistory.map((h) => h.timestamp),
    );
  });
});
