import { sql } from 'kysely';
import type { LicenseChangeFeed } from '../core/ports/license-change-feed.js';
import type { Logger } from '../core/ports/logger.js';
import type { Database } from './database.js';

/** The channel migration 004's trigger notifies, with payload `<schema>:<key hash>` (`<schema>:*`: truncated). */
export const LICENCE_CHANNEL = 'printermaster_licences';

/**
 * Licence changes from the database's own notifications (migration 004): every writer's
 * change is heard, and only changes to this database schema's licences count (tests and
 * some deployments keep several schemas in one database, and the channel is shared).
 */
export class DbLicenseChangeFeed implements LicenseChangeFeed {
  private stopListening: (() => Promise<void>) | undefined;
  private isLive = false;

  /** `onLiveChange` hears when the feed stops and starts hearing changes after its start (logs). */
  constructor(
    private readonly database: Database,
    private readonly onLiveChange?: (live: boolean) => void,
  ) {}

  /** Logs when the notices stop and come back: licences are read per handshake meanwhile. */
  static logLiveChanges(logger: Logger): (live: boolean) => void {
    return (live) => {
      if (live) logger.info({}, 'licence change notices heard again; licences are kept in memory again');
      else logger.warn({}, 'licence change notices lost; every handshake reads its licence until they are back');
    };
  }

  get live(): boolean {
    return this.isLive;
  }

  async start(onChange: (keyHash: string | undefined) => void): Promise<void> {
    const { rows } = await sql<{ schema: string }>`
      select n.nspname as schema from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where c.oid = 'licenses'::regclass`.execute(this.database.db);
    const prefix = `${rows[0]?.schema ?? 'public'}:`;
    let starting = true;
    this.stopListening = await this.database.listen(
      LICENCE_CHANNEL,
      (payload) => {
        if (!payload.startsWith(prefix)) return;
        const keyHash = payload.slice(prefix.length);
        // '*': the table was truncated; every licence held is gone.
        onChange(keyHash === '*' ? undefined : keyHash);
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
