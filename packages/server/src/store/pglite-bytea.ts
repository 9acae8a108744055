import type { PGliteOptions } from '@electric-sql/pglite';

/** PostgreSQL's type OID of `bytea`. */
const BYTEA_OID = 17;

/**
 * `bytea` to and from PGlite's text format through Buffer's native hex codec. PGlite's own
 * serializer formats every byte with `toString(16)` and joins them, and its parser calls `parseInt`
 * per byte: about 35 ms on the event loop for a 160 KB print job (the raster of four images), each
 * way. These take well under a millisecond.
 */
export const PGLITE_BYTEA_TYPES: Pick<PGliteOptions, 'serializers' | 'parsers'> = {
  serializers: {
    [BYTEA_OID]: (value: unknown) => {
      if (!(value instanceof Uint8Array)) throw new TypeError('bytea parameter must be a Uint8Array');
      return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
    },
  },
  parsers: {
    [BYTEA_OID]: (text: string) => {
      const bytes = Buffer.from(text.slice(2), 'hex');
      // A plain Uint8Array, as PGlite's parser returns, not a Buffer.
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
  },
};
