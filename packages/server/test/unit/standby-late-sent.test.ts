import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectedAgent } from '../../src/core/ports/agent-link.js';
import { startTestCore, type TestCore } from '../support/test-core.js';

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore();
});
afterAll(() => t.close());

/**
 * Two agents of one standby group (agent-leases.ts), and the race the end-to-end test met under load:
 * a dispatch pass that read the active agent before it went away marks a job `sent` to it after the
 * standby took over and made that agent's jobs unconfirmed.
 */
describe('a job marked sent to the replaced agent after a switch', () => {
  let ids: Awaited<ReturnType<TestCore['seed']>>;
  let pcA: ConnectedAgent;
  let pcB: ConnectedAgent;
  let n = 0;

  /** A job left `sent` to `deviceId`, as the late pass writes it. */
  const sentTo = async (deviceId: string) => {
    const id = `late-${++n}-${ids.branchId.slice(0, 8)}`;
    await sql`
      INSERT INTO print_jobs (id, company_id, branch_id, printer_id, state, type, priority, content, byte_length,
                              device_id, attempts, useful_until)
      VALUES (${id}, ${ids.companyId}, ${ids.branchId}, ${ids.printerId}, 'sent', 'kitchen', 5, '\\x1b40'::bytea, 2,
              ${deviceId}, 1, now() + interval '1 hour')`.execute(t.database.db);
    return id;
  };
  const stateOf = async (id: string) => (await t.stores.jobs.find(id))?.state;
  const grouped = (deviceId: string) => {
    const seeded = t.link.agents.find((a) => a.branchId === ids.branchId) as ConnectedAgent;
    return t.link.connect({
      deviceId,
      companyId: ids.companyId,
      branchId: ids.branchId,
      licenseId: seeded.licenseId,
      capabilities: ['print-jobs', 'standby-group:kitchen-pcs'],
    });
  };
  const drop = (agent: ConnectedAgent) => t.link.agents.splice(t.link.agents.indexOf(agent), 1);

  beforeAll(async () => {
    ids = await t.seed();
    pcA = grouped('pc-a');
    pcB = grouped('pc-b');
    // Only the pair serves the branch.
    drop(t.link.agents.find((a) => a.deviceId === ids.deviceId) as ConnectedAgent);
    await t.core.leases.connected(pcA);
    await t.core.leases.connected(pcB);
    expect([t.core.leases.isStandby(pcA), t.core.leases.isStandby(pcB)]).toEqual([false, true]);
  });

  it('is unconfirmed at the next tick, like those the replaced agent had at the switch', async () => {
    const before = await sentTo('pc-a');
    drop(pcA);
    await t.core.leases.disconnected(pcA);
    expect(t.core.leases.isStandby(pcB)).toBe(false);
    expect(await stateOf(before)).toBe('unconfirmed');

    const late = await sentTo('pc-a');
    await t.core.leases.tick();
    expect(await stateOf(late)).toBe('unconfirmed');
  });

  it('leaves the jobs of an agent that took the lease back alone', async () => {
    pcA = grouped('pc-a');
    await t.core.leases.connected(pcA);
    expect(t.core.leases.isStandby(pcA)).toBe(true);
    drop(pcB);
    await t.core.leases.disconnected(pcB);
    expect(t.core.leases.isStandby(pcA)).toBe(false);

    const own = await sentTo('pc-a');
    await t.core.leases.tick();
    expect(await stateOf(own)).toBe('sent');
    // pc-b, replaced now, is looked for instead.
    const late = await sentTo('pc-b');
    await t.core.leases.tick();
    expect(await stateOf(late)).toBe('unconfirmed');
  });

  it('stops looking a minute after the switch', async () => {
    await t.clock.advance(61_000);
    const stale = await sentTo('pc-b');
    await t.core.leases.tick();
    expect(await stateOf(stale)).toBe('sent');
  });
});
