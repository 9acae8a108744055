import { Type } from '@sinclair/typebox';
import { EARLIEST_INSTANT_MS, INSTANT_FORMAT, LATEST_INSTANT_MS } from './input-rules.js';

/** An id on the wire (job, printer, branch, device): 1–128 characters. */
export const WireIdSchema = Type.String({ minLength: 1, maxLength: 128 });

/** Free text of a name-like field (type, connection, version …): at most 256 characters. */
export const ShortTextSchema = Type.String({ maxLength: 256 });

/**
 * A timestamp an agent sends: ISO 8601 text or Unix milliseconds (legacy clients send either),
 * within years 1–9999 (input-rules.ts).
 */
export const AgentTimestampSchema = Type.Union([
  Type.String({ maxLength: 64, format: INSTANT_FORMAT }),
  Type.Number({ minimum: EARLIEST_INSTANT_MS, maximum: LATEST_INSTANT_MS }),
]);

/** A time the gateway sends: ISO 8601 text (`new Date(ms).toISOString()`), within years 1–9999. */
export const IsoTimeSchema = Type.String({ minLength: 1, maxLength: 64, format: INSTANT_FORMAT });
