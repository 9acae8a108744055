import { type Kysely, type RawBuilder, type Selectable, sql } from 'kysely';
import type { Device, DeviceStore, DeviceUpsert, NewDeviceSession } from '../core/ports/device-store.js';
import type { DatabaseSchema, DeviceTable } from './database-schema.js';
import { statementBatcher } from './statement-batcher.js';

/** Columns an upsert may set; those a caller leaves undefined keep their stored value. */
const UPDATABLE = [
  'licenseId',
  'kind',
  'hostname',
  'platform',
  'arch',
  'appVersion',
  'protocolVersion',
  'capabilities',
  'lastAddress',
] as const satisfies readonly (keyof DeviceUpsert)[];

type SessionOp = { kind: 'open'; session: NewDeviceSession } | { kind: 'close'; id: string; reason: string };

/**
 * How long device and session writes gather before one statement writes them, ms. Nothing
 * reads these rows in a hurry, and a reconnect storm's handshakes (one per millisecond or
 * more) then cost a statement per window instead of one each.
 */
const GATHER_MS = 50;

/**
 * Devices and their sessions. Every agent connection upserts its device and opens a
 * session, and every disconnect closes one; these writes are group-committed (one
 * statement per kind for all the calls of a 50 ms window), so a reconnect storm of
 * thousands of agents costs tens of statements, not thousands. Each call still
 * resolves only once its row is written.
 */
export class PgDeviceStore implements DeviceStore {
  private readonly upserts = statementBatcher<DeviceUpsert, true>((items) => this.writeDevices(items), {
    gatherMs: GATHER_MS,
  });
  private readonly sessionOps = statementBatcher<SessionOp, true>(
    (ops) => {
      // Session batches run one after another, so a close never overtakes the open it closes.
      const run = this.sessionChain.then(() => this.writeSessions(ops));
      this.sessionChain = run.then(
        () => undefined,
        () => undefined,
      );
      return run;
    },
    { gatherMs: GATHER_MS },
  );
  private sessionChain: Promise<void> = Promise.resolve();

  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async upsert(d: DeviceUpsert): Promise<void> {
    await this.upserts.load(d);
  }

  /** Writes what is gathered now and resolves once it is written (before the database closes). */
  async flush(): Promise<void> {
    await Promise.all([this.upserts.flush(), this.sessionOps.flush()]);
  }

  private async writeDevices(items: readonly DeviceUpsert[]): Promise<true[]> {
    // One statement may not update a row twice: later calls for a device win, field by field.
    const merged = new Map<string, DeviceUpsert>();
    for (const d of items) {
      const key = `${d.branchId}\u0000${d.deviceId}`;
      const defined = Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)) as DeviceUpsert;
      merged.set(key, { ...merged.get(key), ...defined });
    }
    // Rows that set the same columns share a statement; rows in key order, so that two batches
    // touching the same devices lock them in the same order (no deadlock).
    const groups = new Map<string, DeviceUpsert[]>();
    const ordered = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
    for (const d of ordered) {
      const signature = UPDATABLE.filter((k) => d[k] !== undefined).join(',');
      const group = groups.get(signature);
      if (group) group.push(d);
      else groups.set(signature, [d]);
    }
    for (const [signature, rows] of groups) {
      const given = signature === '' ? [] : (signature.split(',') as (typeof UPDATABLE)[number][]);
      await this.db
        .insertInto('devices')
        .values(
          rows.map((d) => ({
            companyId: d.companyId,
            branchId: d.branchId,
            deviceId: d.deviceId,
            licenseId: d.licenseId ?? null,
            kind: d.kind ?? 'legacy',
            hostname: d.hostname ?? null,
            platform: d.platform ?? null,
            arch: d.arch ?? null,
            appVersion: d.appVersion ?? null,
            protocolVersion: d.protocolVersion ?? null,
            capabilities: JSON.stringify(d.capabilities ?? []),
            lastAddress: d.lastAddress ?? null,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['branchId', 'deviceId']).doUpdateSet((eb) => {
            const update: Record<string, unknown> = { lastSeenAt: sql`now()` };
            for (const key of given) update[key] = eb.ref(`excluded.${key}`);
            return update;
          }),
        )
        .execute();
    }
    return items.map(() => true as const);
  }

  async find(branchId: string, deviceId: string): Promise<Device | undefined> {
    const row = await this.db
      .selectFrom('devices')
      .selectAll()
      .where('branchId', '=', branchId)
      .where('deviceId', '=', deviceId)
      .executeTakeFirst();
    return row && toDevice(row);
  }

  async list(filter: { companyId?: string; branchId?: string }): Promise<Device[]> {
    let q = this.db.selectFrom('devices').selectAll();
    if (filter.companyId) q = q.where('companyId', '=', filter.companyId);
    if (filter.branchId) q = q.where('branchId', '=', filter.branchId);
    return (await q.orderBy('lastSeenAt', 'desc').execute()).map(toDevice);
  }

  async openSession(session: NewDeviceSession): Promise<void> {
    await this.sessionOps.load({ kind: 'open', session });
  }

  async closeSession(id: string, reason: string): Promise<void> {
    await this.sessionOps.load({ kind: 'close', id, reason });
  }

  private async writeSessions(ops: readonly SessionOp[]): Promise<true[]> {
    const opens = ops.flatMap((op) => (op.kind === 'open' ? [op.session] : []));
    if (opens.length > 0) {
      // The session and its `agent.connected` event in one statement. The device row gives the
      // hostname; the app version comes with the session, since its device row may not be written yet.
      const versions = opens.map((o) => o.appVersion ?? null);
      await this.db
        .with('s', (q) =>
          q
            .insertInto('deviceSessions')
            .values(opens.map(({ appVersion: _, ...session }) => session))
            .returning(['id', 'companyId', 'branchId', 'deviceId']),
        )
        .insertInto('events')
        .columns(['companyId', 'branchId', 'type', 'subjectId', 'data'])
        .expression(
          sql`SELECT s.company_id, s.branch_id, 'agent.connected', s.device_id,
                jsonb_build_object('deviceId', s.device_id, 'branchId', s.branch_id, 'sessionId', s.id,
                  'hostname', d.hostname, 'appVersion', COALESCE(v.app_version, d.app_version), 'reason', NULL)
              FROM s
              JOIN unnest(${opens.map((o) => o.id)}::text[], ${versions}::text[]) WITH ORDINALITY AS v(id, app_version, ord)
                ON v.id = s.id
              LEFT JOIN devices AS d ON d.branch_id = s.branch_id AND d.device_id = s.device_id
              ORDER BY v.ord`,
        )
        .execute();
    }
    const closes = new Map<string, string[]>();
    for (const op of ops) {
      if (op.kind !== 'close') continue;
      const ids = closes.get(op.reason);
      if (ids) ids.push(op.id);
      else closes.set(op.reason, [op.id]);
    }
    for (const [reason, ids] of closes) await this.closeWhere(sql`id = ANY (${ids}::text[])`, reason);
    return ops.map(() => true as const);
  }

  /**
   * Closes the open sessions that `condition` selects and writes their `agent.disconnected` events,
   * in one statement; returns how many it closed. A session whose device has another session open
   * (a newer socket replaced it, or the agent reconnected elsewhere) closes without an event: the
   * agent is still connected.
   */
  private async closeWhere(condition: RawBuilder<unknown>, reason: string): Promise<number> {
    const { rows } = await sql<{ closed: string }>`
      WITH c AS (
        UPDATE device_sessions SET disconnected_at = now(), disconnect_reason = ${reason}
        WHERE disconnected_at IS NULL AND ${condition}
        RETURNING id, company_id, branch_id, device_id
      ), seen AS (
        -- A device was last seen when its connection closed: the retention purge forgets devices
        -- by this time, and one connected for months has not been away for months. A row another
        -- transaction holds is skipped, never waited for (no lock order to keep with the batched
        -- upserts): that transaction is a handshake's upsert, which marks the device seen itself.
        UPDATE devices AS d SET last_seen_at = now()
        FROM (SELECT l.branch_id, l.device_id FROM devices AS l
              WHERE (l.branch_id, l.device_id) IN (SELECT branch_id, device_id FROM c)
              FOR UPDATE OF l SKIP LOCKED) AS gone
        WHERE d.branch_id = gone.branch_id AND d.device_id = gone.device_id
      ), outbox AS (
        INSERT INTO events (company_id, branch_id, type, subject_id, data)
        SELECT c.company_id, c.branch_id, 'agent.disconnected', c.device_id,
          jsonb_build_object('deviceId', c.device_id, 'branchId', c.branch_id, 'sessionId', c.id,
            'hostname', d.hostname, 'appVersion', d.app_version, 'reason', ${reason}::text)
        FROM c LEFT JOIN devices AS d ON d.branch_id = c.branch_id AND d.device_id = c.device_id
        WHERE NOT EXISTS (SELECT 1 FROM device_sessions AS o WHERE o.branch_id = c.branch_id
          AND o.device_id = c.device_id AND o.disconnected_at IS NULL AND o.id NOT IN (SELECT id FROM c))
        ORDER BY c.id
      )
      SELECT count(*)::text AS closed FROM c`.execute(this.db);
    return Number(rows[0]?.closed ?? 0);
  }

  closeOrphanSessions(gatewayInstance: string | undefined, reason: string): Promise<number> {
    return this.closeWhere(
      gatewayInstance === undefined ? sql`true` : sql`gateway_instance = ${gatewayInstance}`,
      reason,
    );
  }

  closeSessionsOfGoneInstances(liveInstances: readonly string[], minAgeMs: number, reason: string): Promise<number> {
    // The age is taken on the database's clock, the one that stamped `connected_at`.
    const old = sql`connected_at < now() - make_interval(secs => ${minAgeMs / 1000})`;
    return this.closeWhere(
      liveInstances.length > 0 ? sql`${old} AND gateway_instance <> ALL (${[...liveInstances]}::text[])` : old,
      reason,
    );
  }
}

function toDevice(row: Selectable<DeviceTable>): Device {
  return {
    companyId: row.companyId,
    branchId: row.branchId,
    deviceId: row.deviceId,
    licenseId: row.licenseId,
    kind: row.kind === 'v2' ? 'v2' : 'legacy',
    hostname: row.hostname,
    platform: row.platform,
    appVersion: row.appVersion,
    protocolVersion: row.protocolVersion,
    capabilities: row.capabilities,
    lastAddress: row.lastAddress,
    firstSeenAt: row.firstSeenAt,
    lastSeenAt: row.lastSeenAt,
  };
}
