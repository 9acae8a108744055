import { sql } from 'kysely';
import type { ChangeFeed } from '../core/ports/change-feed.js';
import type { Logger } from '../core/ports/logger.js';
import type { Database } from './database.js';

/** Which notices a feed hears: the channel a table's trigger notifies, payload `<schema>:<key>` (`<schema>:*`: truncated). */
export interface ChangeChannel {
  channel: string;
  /** The table whose schema the payloads must name (tests and some deployments share a database). */
  table: string;
  /** What the feed's log lines call the rows (`licence`, `API key`, `session`). */
  noun: string;
}

/**
 * Row changes from the database's own notifications (a table's trigger): every writer's change
 * is heard, and only changes to this database schema's rows count (the channel is shared by
 * every schema of the database). PostgreSQL listens on a connection of its own and reconnects;
 * PGlite hears its own process.
 */
export class DbChangeFeed implements ChangeFeed {
  private stopListening: (() => Promise<void>) | undefined;
  private isLive = false;

  /** `onLiveChange` hears when the feed stops and starts hearing changes after its start (logs). */
  constructor(
    private readonly database: Database,
    private readonly source: ChangeChannel,
    private readonly onLiveChange?: (live: boolean) => void,
  ) {}

  /** Logs when the notices stop and come back: what they guard is read from the store meanwhile. */
  static logLiveChanges(logger: Logger, noun: string): (live: boolean) => void {
    return (live) => {
      if (live) logger.info({}, `${noun} change notices heard again; ${noun}s are kept in memory again`);
      else logger.warn({}, `${noun} change notices lost; ${noun}s are read from the store until they are back`);
    };
  }

  get live(): boolean {
    return this.isLive;
  }

  async start(onChange: (key: string | undefined) => void): Promise<void> {
    const { rows } = await sql<{ schema: string }>`
      select n.nspname as schema from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where c.oid = ${this.source.table}::regclass`.execute(this.database.db);
    const prefix = `${rows[0]?.schema ?? 'public'}:`;
    let starting = true;
    this.stopListening = await this.database.listen(
      this.source.channel,
      (payload) => {
        if (!payload.startsWith(prefix)) return;
        const key = payload.slice(prefix.length);
        // '*': the table was truncated; every row held is gone.
        onChange(key === '*' ? undefined : key);
      },
      (live) => {
        const back = live && !this.isLive;
        const changedState = live !== this.isLive;
        this.isLive = live;
        if (changedState && !starting) this.onLiveChange?.(live);
        // Whatever changed while the connection was down (or before a late first success) went unheard.
        if (back && !starting) onChange(undefined);
      },
    );
    starting = false;
    if (!this.isLive) this.onLiveChange?.(false);
  }

  async stop(): Promise<void> {
    this.isLive = false;
    await this.stopListening?.().catch(() => {});
    this.stopListening = undefined;
  }
}
