import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { MemoryClusterBus } from '../../src/cluster/memory-cluster-bus.js';
import { ClusterRpc } from '../../src/core/cluster-rpc.js';
import { GatewayError } from '../../src/core/gateway-error.js';
import { typedClusterBus } from '../../src/core/ports/cluster-bus.js';
import { FakeClock } from '../support/fake-clock.js';

async function twoProcesses() {
  const clock = new FakeClock();
  const bus = typedClusterBus(new MemoryClusterBus());
  const logger = pino({ level: 'silent' });
  const a = new ClusterRpc({ bus, instanceId: 'gw-a', clock, logger });
  const b = new ClusterRpc({ bus, instanceId: 'gw-b', clock, logger });
  await Promise.all([a.start(), b.start()]);
  return { clock, a, b };
}

describe('cluster RPC between two processes on one bus', () => {
  it('calls a method on the other process and gets its typed reply', async () => {
    const { a, b } = await twoProcesses();
    const callers: string[] = [];
    b.handle('jobs.ready', ({ branchId }, from) => {
      callers.push(from);
      return { kicked: branchId === 'branch-1' };
    });
    await expect(a.call('gw-b', 'jobs.ready', { branchId: 'branch-1' }, 1_000)).resolves.toEqual({ kicked: true });
    expect(callers).toEqual(['gw-a']);
  });

  it("carries the handler's GatewayError code back to the caller", async () => {
    const { a, b } = await twoProcesses();
    b.handle('printerTest.forward', () => {
      throw new GatewayError('PRINTER_OFFLINE', { message: 'gone' });
    });
    const request = { deviceId: 'd', branchId: 'b', request: {} as never };
    await expect(a.call('gw-b', 'printerTest.forward', request, 1_000)).rejects.toMatchObject({
      code: 'PRINTER_OFFLINE',
      message: 'gone',
    });
  });

  it('answers NOT_FOUND for a method the other process does not handle', async () => {
    const { a } = await twoProcesses();
    await expect(a.call('gw-b', 'health.history', { branchId: 'b', deviceId: 'd' }, 1_000)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('times out on the clock when no process answers, and drops the waiting call', async () => {
    const { clock, a } = await twoProcesses();
    const call = a.call('gw-gone', 'jobs.ready', { branchId: 'b' }, 5_000).catch((e: GatewayError) => e.code);
    await clock.advance(4_999);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(1);
    await expect(call).resolves.toBe('TIMEOUT');
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects calls still waiting when the process closes', async () => {
    const { a } = await twoProcesses();
    const call = a.call('gw-gone', 'jobs.ready', { branchId: 'b' }, 5_000).catch((e: GatewayError) => e.code);
    a.close();
    await expect(call).resolves.toBe('SERVICE_UNAVAILABLE');
  });
});
