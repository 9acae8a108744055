import { sql, type Transaction } from 'kysely';
import type { Logger } from '../core/ports/logger.js';
import type { Database } from './database.js';
import type { DatabaseSchema } from './database-schema.js';
import { TENANT_SETTING } from './tenant-scoped-dialect.js';

/** A sequence that was behind its column's highest value and has been moved up to it. */
export interface RepairedSequence {
  sequence: string;
  table: string;
  column: string;
  /** The value the sequence had given last (`null`: it had given none). */
  from: number | null;
  /** The column's highest value, which the sequence now stands at. */
  to: number;
}

export interface SequenceCheck {
  repaired: RepairedSequence[];
  /** Sequences this role may not read or set (the gateway's runtime role); `printermaster migrate` checks them. */
  unchecked: string[];
}

interface OwnedSequence {
  sequence: string;
  table: string;
  column: string;
  mayRepair: boolean;
}

/**
 * Checks that every serial or identity sequence of the store's tables stands at or above the
 * highest value of its column, and moves the ones behind up to it (never down). A sequence
 * behind its column makes every insert fail with a duplicate key: what a plain-SQL dump
 * restored over a live database leaves (its `setval` lines put the sequences back to the time
 * of the dump, after newer rows). Logs one warning per sequence it moves.
 */
export async function repairSequences(database: Database, logger?: Logger): Promise<SequenceCheck> {
  const { rows: owned } = await sql<OwnedSequence>`
    select quote_ident(sn.nspname) || '.' || quote_ident(s.relname) as sequence,
           t.relname as "table", a.attname as "column",
           has_sequence_privilege(s.oid, 'SELECT') and has_sequence_privilege(s.oid, 'UPDATE')
             and has_table_privilege(t.oid, 'SELECT') and has_table_privilege(t.oid, 'UPDATE') as may_repair
      from pg_class s
      join pg_namespace sn on sn.oid = s.relnamespace
      join pg_depend d on d.classid = 'pg_class'::regclass and d.objid = s.oid
                      and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
      join pg_class t on t.oid = d.refobjid
      join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
     where s.relkind = 'S' and t.relkind in ('r', 'p') and t.relnamespace = current_schema()::regnamespace
     order by 2, 3`.execute(database.db);
  const repaired: RepairedSequence[] = [];
  const unchecked = owned.filter((seq) => !seq.mayRepair).map((seq) => seq.sequence);
  // The cheap check first, every sequence in one statement and without a lock: the usual answer is
  // "all in order", and it is asked at every start (a restart's time is the clients' wait).
  const behind = await database.db.transaction().execute((trx) =>
    behindOf(
      trx,
      owned.filter((seq) => seq.mayRepair),
    ),
  );
  for (const seq of behind) {
    const fix = await repairOne(database, seq);
    if (!fix) continue;
    repaired.push(fix);
    logger?.warn(
      { sequence: fix.sequence, table: fix.table, column: fix.column, from: fix.from, to: fix.to },
      'sequence behind its table repaired',
    );
  }
  return { repaired, unchecked };
}

async function repairOne(database: Database, seq: OwnedSequence): Promise<RepairedSequence | undefined> {
  return database.db.transaction().execute(async (trx) => {
    // No insert meanwhile: one could take a value the sequence is about to be moved past.
    await sql`lock table ${sql.id(seq.table)} in exclusive mode`.execute(trx);
    const now = await positions(trx, seq);
    if (!isBehind(now) || now.max === undefined) return undefined;
    await sql`select setval(${seq.sequence}::regclass, ${String(now.max)}::bigint, true)`.execute(trx);
    return { sequence: seq.sequence, table: seq.table, column: seq.column, from: now.lastGiven, to: now.max };
  });
}

interface Positions {
  /** The column's highest value; `undefined` when the table is empty. */
  max: number | undefined;
  /** The value the sequence gave last; `null` when the next one is its first. */
  lastGiven: number | null;
  /** The value the next insert gets (our sequences count up by one). */
  next: number;
}

interface PositionRow {
  i: number;
  max: string | null;
  lastValue: string;
  isCalled: boolean;
}

/** One sequence's position beside its column's highest value, as row `i` of a statement. */
function positionQuery(seq: OwnedSequence, i: number) {
  // `seq.sequence` is quoted by PostgreSQL itself (quote_ident above).
  return sql`select ${i}::int as i, (select max(${sql.id(seq.column)}) from ${sql.id(seq.table)})::text as max,
           s.last_value::text as last_value, s.is_called
      from ${sql.raw(seq.sequence)} as s`;
}

/** Every company's rows: row-level security applies to the tables' owner too (decision 0007). */
async function seeAllTenants(trx: Transaction<DatabaseSchema>): Promise<void> {
  await sql`select set_config(${TENANT_SETTING}, '*', true)`.execute(trx);
}

/** The sequences among `seqs` that stand behind their column, in one statement. */
async function behindOf(trx: Transaction<DatabaseSchema>, seqs: OwnedSequence[]): Promise<OwnedSequence[]> {
  if (seqs.length === 0) return [];
  await seeAllTenants(trx);
  const { rows } = await sql<PositionRow>`${sql.join(seqs.map(positionQuery), sql` union all `)}`.execute(trx);
  return rows.filter((row) => isBehind(toPositions(row))).map((row) => seqs[row.i] as OwnedSequence);
}

async function positions(trx: Transaction<DatabaseSchema>, seq: OwnedSequence): Promise<Positions> {
  await seeAllTenants(trx);
  const { rows } = await sql<PositionRow>`${positionQuery(seq, 0)}`.execute(trx);
  const row = rows[0];
  if (!row) throw new Error(`the sequence ${seq.sequence} has no row`);
  return toPositions(row);
}

function toPositions(row: PositionRow): Positions {
  const last = Number(row.lastValue);
  return {
    max: row.max === null ? undefined : Number(row.max),
    lastGiven: row.isCalled ? last : null,
    next: row.isCalled ? last + 1 : last,
  };
}

function isBehind(p: Positions): boolean {
  return p.max !== undefined && p.next <= p.max;
}
