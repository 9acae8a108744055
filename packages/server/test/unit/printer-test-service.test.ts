import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayError } from '../../src/core/gateway-error.js';
import { startTestCore, type TestCore } from '../support/test-core.js';

// One core for the file (an in-memory PGlite takes a while to start); each test seeds its own tenant.
let t: TestCore;
beforeAll(async () => {
  t = await startTestCore();
});
afterAll(() => t.close());

async function seeded() {
  const ids = await t.seed();
  const user = await t.jwt.verify(ids.token);
  const agent = t.link.agentsInBranch(ids.branchId)[0];
  if (!agent) throw new Error('seed connected no agent');
  return { t, ids, user, agent };
}

/** A test sent to a legacy client of a new tenant, which acknowledged it (legacy clients send no result id). */
async function legacyTestAcknowledged() {
  const { t, ids, user, agent } = await seeded();
  agent.protocol = 'legacy';
  const sent = t.link.nextTest();
  const answer = t.core.printerTests.run(user, ids.printerId, {});
  await sent;
  t.core.printerTests.handleAck({ ...agent, role: 'desktop_app' } as never, { printerId: ids.printerId } as never);
  return { answer };
}

describe('printer tests in the core (fake clock, recorded agent)', () => {
  it('sends the request to the branch agent and answers with its result', async () => {
    const { t, ids, user, agent } = await seeded();
    const sent = t.link.nextTest();
    const answer = t.core.printerTests.run(user, ids.printerId, { testType: 'connection' });
    const { request } = await sent;
    expect(request).toMatchObject({ printerId: ids.printerId, branchName: 'Unit branch', testType: 'connection' });
    expect(request.metadata.timeout).toBe(15_000);
    await t.clock.advance(40);
    t.core.printerTests.handleResult(
      { ...agent, role: 'desktop_app' } as never,
      { printerId: ids.printerId, correlationId: request.correlationId, success: true, message: 'printed' },
      false,
    );
    await expect(answer).resolves.toMatchObject({
      success: true,
      correlationId: request.correlationId,
      clientsAvailable: 1,
      processingTime: 40,
    });
    expect(t.core.pending.size).toBe(0);
  });

  it('answers TIMEOUT at 15 s on the clock, and a late result is then only broadcast', async () => {
    const { t, ids, user, agent } = await seeded();
    const sent = t.link.nextTest();
    const answer = t.core.printerTests.run(user, ids.printerId, {}).catch((e: GatewayError) => e);
    const { request } = await sent;
    await t.clock.advance(15_000);
    const err = await answer;
    expect(err).toMatchObject({ code: 'TIMEOUT' });
    expect((err as GatewayError).message).toContain('15 s');
    t.core.printerTests.handleResult(
      { ...agent, role: 'desktop_app' } as never,
      { printerId: ids.printerId, correlationId: request.correlationId, success: true },
      false,
    );
    expect(t.core.pending.size).toBe(0);
  });

  it('ignores a result from an agent of another branch', async () => {
    const { t, ids, user } = await seeded();
    const sent = t.link.nextTest();
    const answer = t.core.printerTests.run(user, ids.printerId, {}).catch((e: GatewayError) => e.code);
    const { request } = await sent;
    const stranger = { deviceId: 'x', companyId: ids.companyId, branchId: 'another-branch', role: 'desktop_app' };
    t.core.printerTests.handleResult(
      stranger as never,
      { printerId: ids.printerId, correlationId: request.correlationId, success: true },
      false,
    );
    expect(t.core.pending.size).toBe(1);
    await t.clock.advance(15_000);
    await expect(answer).resolves.toBe('TIMEOUT');
  });

  it('answers PRINTER_OFFLINE at once when no agent of the branch is connected', async () => {
    const { t, ids, user } = await seeded();
    t.link.disconnect(ids.branchId);
    await expect(t.core.printerTests.run(user, ids.printerId, {})).rejects.toMatchObject({ code: 'PRINTER_OFFLINE' });
    expect(t.link.tests.filter((sent) => sent.request.printerId === ids.printerId)).toHaveLength(0);
  });

  it('answers a legacy client at its acknowledgement, as delivered but unconfirmed', async () => {
    const { answer } = await legacyTestAcknowledged();
    await expect(answer).resolves.toMatchObject({ delivered: true, outcome: 'unconfirmed' });
  });

  it('forgets a legacy test whose late result can no longer come, at the stale sweep', async () => {
    await (await legacyTestAcknowledged()).answer;
    // Its result may still come for a minute after the test's 15 s deadline.
    await t.clock.advance(15_000 + 59_000);
    expect(t.core.printerTests.pruneExpiredLegacyTests()).toBe(0);
    await t.clock.advance(2_000);
    // This one, and the earlier test's of this file (no result came for it either).
    expect(t.core.printerTests.pruneExpiredLegacyTests()).toBeGreaterThanOrEqual(1);
    expect(t.core.printerTests.pruneExpiredLegacyTests()).toBe(0);
  });
});
