import { describe, expect, it } from 'vitest';
import type { GatewayError } from '../../src/core/gateway-error.js';
import { type PendingRequestInfo, PendingRequests } from '../../src/core/pending-requests.js';
import { FakeClock } from '../support/fake-clock.js';

function setUp(maxPending = 10) {
  const clock = new FakeClock();
  const timedOut: PendingRequestInfo[] = [];
  const resolved: number[] = [];
  const pending = new PendingRequests<string>({
    maxPending,
    clock,
    onTimeout: (info) => timedOut.push(info),
    onResolve: (_info, ms) => resolved.push(ms),
  });
  return { clock, pending, timedOut, resolved };
}

describe('pending requests on the clock', () => {
  it('resolves a request answered before its deadline, with the time it took', async () => {
    const { clock, pending, resolved } = setUp();
    const reply = pending.register({ correlationId: 'c1', type: 'printer_test', timeoutMs: 15_000 });
    await clock.advance(1_200);
    expect(pending.resolve('c1', 'ok')).toBe(true);
    await expect(reply).resolves.toBe('ok');
    expect(resolved).toEqual([1_200]);
    expect(pending.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects with TIMEOUT exactly at the deadline, not a millisecond before', async () => {
    const { clock, pending, timedOut } = setUp();
    const reply = pending.register({ correlationId: 'c1', type: 'printer_test', timeoutMs: 15_000 });
    const outcome = reply.catch((err: GatewayError) => err.code);
    await clock.advance(14_999);
    expect(pending.find('c1')).toBeDefined();
    await clock.advance(1);
    await expect(outcome).resolves.toBe('TIMEOUT');
    expect(timedOut.map((t) => t.correlationId)).toEqual(['c1']);
    expect(pending.resolve('c1', 'late')).toBe(false);
  });

  it('resolves with the fallback a request gives at its deadline', async () => {
    const { clock, pending } = setUp();
    const reply = pending.register({ correlationId: 'c1', type: 'printer_test', timeoutMs: 100 }, (info) =>
      info.acknowledgedAt !== undefined ? 'delivered' : undefined,
    );
    expect(pending.acknowledge('c1')).toBe(true);
    await clock.advance(100);
    await expect(reply).resolves.toBe('delivered');
  });

  it('sweeps a request whose timer was lost, and counts it', async () => {
    const { clock, pending } = setUp();
    const reply = pending.register({ correlationId: 'c1', type: 'printer_test', timeoutMs: 1_000 });
    const outcome = reply.catch((err: GatewayError) => err.code);
    pending.register({ correlationId: 'c2', type: 'printer_test', timeoutMs: 60_000 }).catch(() => {});
    clock.jump(1_000);
    expect(pending.sweep()).toBe(1);
    await expect(outcome).resolves.toBe('TIMEOUT');
    expect(pending.list().map((r) => r.correlationId)).toEqual(['c2']);
  });

  it('refuses past its limit, and a second request for the same match key', () => {
    const { pending } = setUp(1);
    pending.register({ correlationId: 'c1', type: 't', timeoutMs: 1_000, matchKey: 'printer:p1' }).catch(() => {});
    expect(() => pending.register({ correlationId: 'c2', type: 't', timeoutMs: 1_000 })).toThrowError(
      expect.objectContaining({ code: 'TOO_MANY_PENDING_REQUESTS' }),
    );
    const { pending: roomy } = setUp(10);
    roomy.register({ correlationId: 'c1', type: 't', timeoutMs: 1_000, matchKey: 'printer:p1' }).catch(() => {});
    expect(() =>
      roomy.register({ correlationId: 'c2', type: 't', timeoutMs: 1_000, matchKey: 'printer:p1' }),
    ).toThrowError(expect.objectContaining({ code: 'CONFLICT' }));
    expect(roomy.findByMatchKey('printer:p1')).toBe('c1');
  });

  it('rejects everything at shutdown and leaves no timer behind', async () => {
    const { clock, pending } = setUp();
    const replies = ['a', 'b'].map((id) =>
      pending.register({ correlationId: id, type: 't', timeoutMs: 1_000 }).catch((e: GatewayError) => e.code),
    );
    pending.rejectAll(Object.assign(new Error('stopping'), { code: 'SERVICE_UNAVAILABLE' }) as GatewayError);
    await expect(Promise.all(replies)).resolves.toEqual(['SERVICE_UNAVAILABLE', 'SERVICE_UNAVAILABLE']);
    expect(clock.pendingTimers).toBe(0);
  });
});
