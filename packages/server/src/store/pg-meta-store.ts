import type { Kysely } from 'kysely';
import type { MetaStore } from '../core/ports/meta-store.js';
import type { DatabaseSchema } from './database-schema.js';

export class PgMetaStore implements MetaStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async get<T>(key: string): Promise<T | undefined> {
    const row = await this.db.selectFrom('gatewayMeta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value as T | undefined;
  }

  async putIfAbsent(key: string, value: unknown): Promise<boolean> {
    const row = await this.db
      .insertInto('gatewayMeta')
      .values({ key, value: JSON.stringify(value) })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .executeTakeFirst();
    return row !== undefined;
  }
}
