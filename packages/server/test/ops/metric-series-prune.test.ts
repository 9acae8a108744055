import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsGateway } from '../../src/core/tenant-scope.js';
import { pruneMetricSeries } from '../../src/housekeeping-part.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import { type Database, openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrator.js';
import { createStores, type Stores } from '../../src/store/stores.js';

/** The series lines of `name` in the exposition text. */
function series(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`printermaster_${name}`));
}

describe('metric series of deleted printers and stations', () => {
  let database: Database;
  let stores: Stores;

  beforeAll(async () => {
    database = await openDatabase({ kind: 'pglite', dataDir: 'memory' });
    await migrate(database);
    stores = createStores(database, (err) => {
      throw err;
    });
    await database.db.insertInto('companies').values({ id: 'co-1', name: 'Co' }).execute();
    await database.db.insertInto('branches').values({ id: 'br-1', companyId: 'co-1', name: 'Main' }).execute();
    await runAsGateway(async () => {
      for (const id of ['p-kept', 'p-gone'])
        await stores.printers.insert({ id, companyId: 'co-1', branchId: 'br-1', name: id });
      for (const id of ['s-kept', 's-gone'])
        await stores.stations.insert({ id, companyId: 'co-1', branchId: 'br-1', name: id, printerIds: ['p-kept'] });
    });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('are dropped from /metrics by the prune, and those of existing ones stay', async () => {
    const metrics = new GatewayMetrics('test');
    for (const printer of ['p-kept', 'p-gone']) {
      metrics.canarySeconds.observe({ branch: 'br-1', printer }, 0.2);
      metrics.canaryFailures.inc({ branch: 'br-1', printer, reason: 'paper_out' });
      metrics.canaryFailures.inc({ branch: 'br-1', printer, reason: 'no_answer' });
    }
    for (const station of ['s-kept', 's-gone']) metrics.stationMoves.inc({ branch: 'br-1', station }, 2);
    await runAsGateway(async () => {
      await stores.printers.delete('p-gone');
      await stores.stations.delete('s-gone');
    });

    const logger = pino({ level: 'silent' });
    // One histogram series, two counter series (two reasons) and one station series.
    expect(await pruneMetricSeries({ stores, metrics, logger })).toBe(4);

    const text = await metrics.text();
    expect(text).not.toContain('p-gone');
    expect(text).not.toContain('s-gone');
    expect(series(text, 'canary_failures_total').filter((l) => l.includes('p-kept'))).toHaveLength(2);
    expect(series(text, 'canary_seconds_count').filter((l) => l.includes('p-kept'))).toHaveLength(1);
    expect(series(text, 'station_moves_total')).toEqual([
      'printermaster_station_moves_total{branch="br-1",station="s-kept"} 2',
    ]);
    // Nothing more to drop the next time.
    expect(await pruneMetricSeries({ stores, metrics, logger })).toBe(0);
  });
});
