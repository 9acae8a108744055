import { INSTANT_FORMAT, isInstantText } from '@printermaster/protocol';
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

function createAjv(options: Options): Ajv {
  const ajv = new Ajv({ removeAdditional: false, useDefaults: false, allErrors: false, strict: false, ...options });
  addFormats.default(ajv);
  ajv.addFormat(INSTANT_FORMAT, { type: 'string', validate: isInstantText });
  return ajv;
}

/**
 * Request validation. JSON bodies are checked strictly: no type coercion and no
 * silently dropped fields, so `"name": 12` or an unknown field is a 400.
 * Query strings, params and headers are text by nature and are coerced.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = createAjv({ coerceTypes: false });
  const coercing = createAjv({ coerceTypes: 'array' });
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object);
}
