import { sql } from 'kysely';
import type { Database } from '../../src/store/database.js';

/**
 * Everything a migration can create in the store's schema, as the catalogs describe it: relations
 * (tables, views, indexes, sequences, with row-level security flags, options and grants), columns
 * in order, constraints, indexes, policies, triggers, functions and view definitions. Names of the
 * schema itself are taken out, so that two schemas compare equal when they hold the same objects.
 */
export interface SchemaSnapshot {
  relations: string[];
  columns: string[];
  constraints: string[];
  indexes: string[];
  policies: string[];
  triggers: string[];
  functions: string[];
  views: string[];
}

const QUERIES: Record<keyof SchemaSnapshot, string> = {
  relations: `select c.relname || ' ' || c.relkind::text || ' rls=' || c.relrowsecurity::text || ' force=' || c.relforcerowsecurity::text
      || ' options=' || coalesce(array_to_string(c.reloptions, ','), '') || ' acl=' || coalesce(c.relacl::text, '') as line
    from pg_class c where c.relnamespace = current_schema()::regnamespace`,
  columns: `select c.relname || '.' || a.attname || ' #' || row_number() over (partition by c.oid order by a.attnum)
      || ' ' || format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull::text || ' identity=' || a.attidentity::text
      || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') || ' acl=' || coalesce(a.attacl::text, '') as line
    from pg_attribute a join pg_class c on c.oid = a.attrelid
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where c.relnamespace = current_schema()::regnamespace and a.attnum > 0 and not a.attisdropped`,
  constraints: `select c.relname || ' ' || k.conname || ' ' || k.contype::text || ' ' || pg_get_constraintdef(k.oid) as line
    from pg_constraint k join pg_class c on c.oid = k.conrelid where k.connamespace = current_schema()::regnamespace`,
  indexes: `select indexname || ' ' || indexdef as line from pg_indexes where schemaname = current_schema()`,
  policies: `select tablename || ' ' || policyname || ' ' || permissive || ' ' || array_to_string(roles, ',') || ' ' || cmd
      || ' using=' || coalesce(qual, '') || ' check=' || coalesce(with_check, '') as line
    from pg_policies where schemaname = current_schema()`,
  triggers: `select t.tgname || ' ' || t.tgenabled::text || ' ' || pg_get_triggerdef(t.oid) as line
    from pg_trigger t join pg_class c on c.oid = t.tgrelid
    where c.relnamespace = current_schema()::regnamespace and not t.tgisinternal`,
  functions: `select p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') ' || l.lanname
      || ' ' || p.provolatile::text || ' ' || p.prosrc || ' acl=' || coalesce(p.proacl::text, '') as line
    from pg_proc p join pg_language l on l.oid = p.prolang where p.pronamespace = current_schema()::regnamespace`,
  views: `select c.relname || ' ' || pg_get_viewdef(c.oid) as line
    from pg_class c where c.relnamespace = current_schema()::regnamespace and c.relkind::text in ('v', 'm')`,
};

export async function schemaSnapshot(database: Database): Promise<SchemaSnapshot> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db);
  const schema = rows[0]?.schema as string;
  const qualifier = new RegExp(`"?${schema}"?\\.`, 'g');
  const snapshot = {} as SchemaSnapshot;
  for (const [part, query] of Object.entries(QUERIES) as [keyof SchemaSnapshot, string][]) {
    const result = await sql<{ line: string }>`${sql.raw(query)}`.execute(database.db);
    snapshot[part] = result.rows.map((r) => r.line.replace(qualifier, '')).sort();
  }
  return snapshot;
}

/** The snapshot of a schema that holds only the migrator's own bookkeeping table. */
export function isOnlyBookkeeping(snapshot: SchemaSnapshot): boolean {
  const names = snapshot.relations.map((r) => r.split(' ')[0]);
  return (
    names.every((n) => n === 'schema_migrations' || n === 'schema_migrations_pkey') &&
    snapshot.functions.length === 0 &&
    snapshot.policies.length === 0 &&
    snapshot.triggers.length === 0 &&
    snapshot.views.length === 0
  );
}
