import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../support/test-database.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

describe.runIf(await postgresAvailable())('the PostgreSQL connection pool, as runbook 002 looks for it', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ store: 'postgres', env: { DATABASE_POOL_SIZE: '7' } });
  });
  afterAll(() => gw?.close());

  it('logs the pool once it is ready, with its totals and size', async () => {
    const ready = await gw.waitForLog((l) => l.msg === 'PostgreSQL connection pool ready');
    expect(ready).toMatchObject({ max: 7, waiting: 0, total: expect.any(Number), idle: expect.any(Number) });
    expect(gw.logs.filter((l) => l.msg === 'PostgreSQL connection pool ready')).toHaveLength(1);
  });

  it('shows the pool in /api/health/detailed', async () => {
    const detailed = (await (await fetch(`${gw.url}/api/health/detailed`)).json()) as Record<string, unknown>;
    expect(detailed.databasePool).toMatchObject({ max: 7, waiting: 0 });
    const { total, idle } = detailed.databasePool as { total: number; idle: number };
    expect(total).toBeGreaterThanOrEqual(1);
    expect(total).toBeLessThanOrEqual(7);
    expect(idle).toBeLessThanOrEqual(total);
  });
});
