import { type Kysely, sql } from 'kysely';
import type { DatabaseSchema } from './database-schema.js';

/** A table's counters, as PostgreSQL's statistics collector keeps them. */
interface TableActivity {
  table: string;
  live: number;
  dead: number;
  /** Rows inserted, updated or deleted since the table was last analysed. */
  modifiedSinceAnalyze: number;
  /** Rows inserted since the table was last vacuumed (they are not all-visible until then). */
  insertedSinceVacuum: number;
}

/** What one pass did: the tables vacuumed (and analysed), the tables only analysed, and how long it took, ms. */
export interface VacuumPass {
  vacuumed: string[];
  analyzed: string[];
  durationMs: number;
}

/**
 * PostgreSQL's own autovacuum thresholds (vacuum: 50 rows + 20 % dead; analyse: 50 rows + 10 %
 * changed; inserts: 1,000 rows + 20 %), so the embedded store is kept as a PostgreSQL server keeps
 * itself.
 */
const THRESHOLDS = {
  vacuumBase: 50,
  vacuumScale: 0.2,
  analyzeBase: 50,
  analyzeScale: 0.1,
  insertBase: 1_000,
  insertScale: 0.2,
};

/**
 * The embedded store's autovacuum. PGlite runs PostgreSQL as one backend without its background
 * workers, so nothing ever vacuums or analyses it: every update and delete leaves a dead row
 * version and its index entries for good, and the planner never gets statistics. Costs then grow
 * with history: the partial indexes that find open work (jobs waiting, events not yet numbered,
 * sessions still open) keep an entry for every row that was ever open, and each lookup steps over
 * all of them (28 × slower on a 20,000-row table after five state changes per row, measured).
 *
 * Each pass reads the statistics and vacuums (with ANALYZE) the tables past autovacuum's
 * thresholds, or only analyses them, one table per statement: PGlite runs one statement at a
 * time, so the gateway's own statements wait for one table at most, not for the whole store.
 * Plain VACUUM skips the pages that have not changed since the last one, so a pass costs what
 * changed since the previous pass. Counters live in memory: after a crash they start from zero,
 * and the tables are vacuumed once they have changed enough again.
 */
export class EmbeddedVacuum {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async run(): Promise<VacuumPass> {
    const started = performance.now();
    const vacuumed: string[] = [];
    const analyzed: string[] = [];
    for (const t of await this.activity()) {
      const needsVacuum =
        t.dead > THRESHOLDS.vacuumBase + THRESHOLDS.vacuumScale * t.live ||
        t.insertedSinceVacuum > THRESHOLDS.insertBase + THRESHOLDS.insertScale * t.live;
      const needsAnalyze = t.modifiedSinceAnalyze > THRESHOLDS.analyzeBase + THRESHOLDS.analyzeScale * t.live;
      if (needsVacuum) {
        await sql`vacuum (analyze) ${sql.table(t.table)}`.execute(this.db);
        vacuumed.push(t.table);
      } else if (needsAnalyze) {
        await sql`analyze ${sql.table(t.table)}`.execute(this.db);
        analyzed.push(t.table);
      }
    }
    return { vacuumed, analyzed, durationMs: Math.round(performance.now() - started) };
  }

  private async activity(): Promise<TableActivity[]> {
    // The backend reports its counts when idle, at most once a second: the pass sees them all.
    await sql`select pg_stat_force_next_flush()`.execute(this.db);
    const { rows } = await sql<{
      table: string;
      live: string;
      dead: string;
      modified: string;
      inserted: string;
    }>`select relname as "table", n_live_tup as live, n_dead_tup as dead,
              n_mod_since_analyze as modified, n_ins_since_vacuum as inserted
         from pg_stat_user_tables
        where schemaname = current_schema()
        order by n_dead_tup desc`.execute(this.db);
    return rows.map((r) => ({
      table: r.table,
      live: Number(r.live),
      dead: Number(r.dead),
      modifiedSinceAnalyze: Number(r.modified),
      insertedSinceVacuum: Number(r.inserted),
    }));
  }
}
