import type { ChangeFeed } from '../core/ports/change-feed.js';
import type { Logger } from '../core/ports/logger.js';
import type { Database } from './database.js';
import { DbChangeFeed } from './db-change-feed.js';

/** Channels of migration 008's triggers: API key changes by key hash, revoked sessions by family id. */
export const API_KEY_CHANNEL = 'printermaster_api_keys';
export const SESSION_CHANNEL = 'printermaster_sessions';

/** The feeds that keep a process's API keys and session denylist in step with the database. */
export function dbCredentialChangeFeeds(
  database: Database,
  logger?: Logger,
): { apiKeyChanges: ChangeFeed; sessionChanges: ChangeFeed } {
  const apiKey = { channel: API_KEY_CHANNEL, table: 'api_keys', noun: 'API key' };
  const session = { channel: SESSION_CHANNEL, table: 'refresh_tokens', noun: 'session' };
  return {
    apiKeyChanges: new DbChangeFeed(database, apiKey, logger && DbChangeFeed.logLiveChanges(logger, apiKey.noun)),
    sessionChanges: new DbChangeFeed(database, session, logger && DbChangeFeed.logLiveChanges(logger, session.noun)),
  };
}
