import { type Kysely, sql } from 'kysely';
import type { EventListQuery, EventStore, SequencedBatch, SequencedEvent } from '../core/ports/event-store.js';
import type { DatabaseSchema } from './database-schema.js';
import { webhookFilterMatches } from './pg-webhook-filter.js';
import { HELD_UNTIL } from './webhook-held-deliveries.js';

/** The gateway_meta row that holds the last seq given; locked by every sequencer pass. */
const COUNTER_KEY = 'event_seq';

/**
 * The event outbox's order and reads. The last seq given is kept in gateway_meta rather than
 * taken as max(seq): deleting a company deletes its events, and a seq given again after that
 * would fall behind other companies' cursors.
 */
export class PgEventStore implements EventStore {
  private counterReady = false;

  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async sequence(limit: number): Promise<SequencedBatch> {
    if (!this.counterReady) {
      await sql`INSERT INTO gateway_meta (key, value)
        SELECT ${COUNTER_KEY}, to_jsonb(COALESCE(max(seq), 0)) FROM events
        ON CONFLICT (key) DO NOTHING`.execute(this.db);
      this.counterReady = true;
    }
    return this.db.transaction().execute(async (trx) => {
      // The lock serialises passes of every process. The next statement's snapshot is taken after
      // it is granted, so it sees what the pass before committed.
      const { rows: locked } = await sql<{ last: string }>`
        SELECT value #>> '{}' AS last FROM gateway_meta WHERE key = ${COUNTER_KEY} FOR UPDATE`.execute(trx);
      const last = locked[0]?.last ?? '0';
      const { rows } = await sql<{ count: string; lastSeq: string; deliveries: string }>`
        WITH picked AS (
          SELECT id, row_number() OVER (ORDER BY id) AS n
          FROM (SELECT id FROM events WHERE seq IS NULL ORDER BY id LIMIT ${limit}) AS waiting
        ), numbered AS (
          UPDATE events AS e SET seq = ${last}::bigint + p.n FROM picked AS p WHERE e.id = p.id
          RETURNING e.id, e.seq, e.company_id, e.branch_id, e.type, e.subject_id
        ), delivered AS (
          INSERT INTO webhook_deliveries (endpoint_id, company_id, event_id, seq, ordering_key, state, next_attempt_at)
          SELECT w.id, n.company_id, n.id, n.seq, n.subject_id, 'pending',
            CASE WHEN w.status = 'active' THEN now() ELSE ${HELD_UNTIL}::timestamptz END
          FROM numbered AS n
          -- Disabled endpoints too: their deliveries wait, pending and parked, until they are enabled.
          JOIN webhook_endpoints AS w ON w.company_id = n.company_id
            AND (w.branch_id IS NULL OR w.branch_id = n.branch_id)
            AND ${webhookFilterMatches(sql.ref('n.type'), sql.ref('w.events'))}
          ORDER BY n.seq, w.id
          RETURNING 1
        ), top AS (
          SELECT COALESCE(max(seq), ${last}::bigint) AS seq, count(*) AS n FROM numbered
        ), counter AS (
          UPDATE gateway_meta SET value = to_jsonb(top.seq), updated_at = now()
          FROM top WHERE key = ${COUNTER_KEY} AND top.n > 0
        )
        SELECT top.n::text AS count, top.seq::text AS last_seq, (SELECT count(*) FROM delivered)::text AS deliveries
        FROM top`.execute(trx);
      const row = rows[0];
      return {
        count: Number(row?.count ?? 0),
        lastSeq: row?.lastSeq ?? last,
        deliveries: Number(row?.deliveries ?? 0),
      };
    });
  }

  async list(query: EventListQuery): Promise<SequencedEvent[]> {
    let q = this.db
      .selectFrom('events')
      .select(['id', 'seq', 'companyId', 'branchId', 'type', 'subjectId', 'data', 'createdAt'])
      .where('seq', 'is not', null)
      .where('seq', '>', query.afterSeq);
    if (query.companyId !== undefined) q = q.where('companyId', '=', query.companyId);
    if (query.branchId !== undefined) q = q.where('branchId', '=', query.branchId);
    const types = query.types ?? [];
    if (types.length > 0 && !types.includes('*')) {
      const exact = types.filter((t) => !t.endsWith('.*'));
      const families = types.filter((t) => t.endsWith('.*')).map((t) => t.slice(0, -2));
      q = q.where((eb) =>
        eb.or([
          ...(exact.length > 0 ? [eb('type', 'in', exact)] : []),
          ...(families.length > 0 ? [eb(sql`split_part(type, '.', 1)`, 'in', families)] : []),
        ]),
      );
    }
    const rows = await q.orderBy('seq').limit(query.limit).execute();
    // PGlite reads bigints as numbers, PostgreSQL as strings: the port speaks decimal strings.
    return rows.map((r) => ({ ...r, id: String(r.id), seq: String(r.seq) }));
  }
}
