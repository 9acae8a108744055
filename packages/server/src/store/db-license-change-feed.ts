import type { LicenseChangeFeed } from '../core/ports/license-change-feed.js';
import type { Logger } from '../core/ports/logger.js';
import type { Database } from './database.js';
import { DbChangeFeed } from './db-change-feed.js';

/** The channel migration 004's trigger notifies, with payload `<schema>:<key hash>` (`<schema>:*`: truncated). */
export const LICENCE_CHANNEL = 'printermaster_licences';

/** Licence changes from the database's own notifications (migrations 004 and 008), keyed by key hash. */
export class DbLicenseChangeFeed extends DbChangeFeed implements LicenseChangeFeed {
  /** `onLiveChange` hears when the feed stops and starts hearing changes after its start (logs). */
  constructor(database: Database, onLiveChange?: (live: boolean) => void) {
    super(database, { channel: LICENCE_CHANNEL, table: 'licenses', noun: 'licence' }, onLiveChange);
  }

  /** Logs when the notices stop and come back: licences are read per handshake meanwhile. */
  static override logLiveChanges(logger: Logger): (live: boolean) => void {
    return (live) => {
      if (live) logger.info({}, 'licence change notices heard again; licences are kept in memory again');
      else logger.warn({}, 'licence change notices lost; every handshake reads its licence until they are back');
    };
  }
}
