import type { ColumnType } from 'kysely';

/** A timestamp column: read as Date, written as Date or ISO string, defaulted by the database. */
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
export type Json<T> = ColumnType<T, string | undefined, string>; // jsonb: written as a JSON string, read parsed
export type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;
