import { INSTANT_FORMAT, isInstantText } from '@printermaster/protocol';
import { Ajv, type Options, type ValidateFunction } from 'ajv';
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
  const warm = new WarmUp();
  return ({ schema, httpPart }) => warm.add(() => (httpPart === 'body' ? strict : coercing).compile(schema as object));
}

/** A validator as Fastify calls it: `errors` is read after each call. */
type Validator = ((data: unknown) => boolean) & { errors?: ValidateFunction['errors'] };

/**
 * Compiling every route's schemas took a quarter of the gateway's start-up after the store opened,
 * which is the time a restart or a pm2 reload holds connections. So each validator is compiled
 * when first called, and the first request of all compiles the rest in the background, one per
 * event-loop turn, so that later requests rarely pay for it.
 */
class WarmUp {
  private readonly cold: (() => void)[] = [];
  private started = false;

  add(compile: () => ValidateFunction): Validator {
    let compiled: ValidateFunction | undefined;
    const ensure = () => {
      compiled ??= compile();
      return compiled;
    };
    this.cold.push(ensure);
    const validate: Validator = (data) => {
      this.start();
      const fn = ensure();
      const ok = fn(data) as boolean;
      validate.errors = fn.errors;
      return ok;
    };
    return validate;
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    const next = () => {
      const ensure = this.cold.shift();
      if (!ensure) return;
      try {
        ensure();
      } catch {
        // A schema that does not compile fails the requests of its route (a 500 they log); here it
        // must not end the process.
      }
      setImmediate(next);
    };
    setImmediate(next);
  }
}
