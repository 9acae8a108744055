import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../core/gateway-error.js';

/** Fastify's own error codes for bad input, mapped to ours. */
const FASTIFY_CODES: Record<string, GatewayError['code']> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_INVALID_URL: 'BAD_REQUEST',
};

/** 5xx answers that report the state of things (an agent away, a full queue), not a fault: logged at info. */
const EXPECTED_5XX = new Set<GatewayError['code']>([
  'PRINTER_OFFLINE',
  'TIMEOUT',
  'SERVICE_UNAVAILABLE',
  'RENDERER_BUSY',
]);

/**
 * One error envelope for every route: `{success: false, code, message, ...details}`.
 * Bad input is a 4xx with a code, never a 500; 5xx are logged with the error.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const e = toGatewayError(error);
    if (e.status >= 500 && !EXPECTED_5XX.has(e.code)) {
      request.log.error({ err: error, code: e.code }, 'request failed');
    } else if (e.status >= 400) {
      request.log.info({ code: e.code, message: e.message }, 'request rejected');
    }
    if (e.code === 'RATE_LIMIT_EXCEEDED' && typeof e.details?.resetIn === 'number') {
      void reply.header('retry-after', String(e.details.resetIn));
    }
    return reply.status(e.status).send({ ...(e.details ?? {}), success: false, code: e.code, message: e.message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ success: false, code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
}

export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const fe = error as Partial<FastifyError> & { validationContext?: string };
  if (fe.validation && Array.isArray(fe.validation)) {
    const first = fe.validation[0];
    const params = (first?.params ?? {}) as Record<string, unknown>;
    const field =
      typeof params.missingProperty === 'string'
        ? `/${params.missingProperty}`
        : typeof params.additionalProperty === 'string'
          ? `/${params.additionalProperty}`
          : '';
    const path = `${fe.validationContext ?? 'body'}${first?.instancePath ?? ''}${field}`;
    const what =
      typeof params.additionalProperty === 'string'
        ? `unknown field "${params.additionalProperty}"`
        : (first?.message ?? 'is invalid');
    return new GatewayError('BAD_REQUEST', { message: `${path}: ${what}`, details: { path } });
  }
  if (fe.code && FASTIFY_CODES[fe.code]) {
    return new GatewayError(FASTIFY_CODES[fe.code] as GatewayError['code'], { message: fe.message, cause: error });
  }
  if (error instanceof SyntaxError || fe.statusCode === 400) {
    return new GatewayError('BAD_REQUEST', { message: fe.message ?? 'request is invalid', cause: error });
  }
  if (fe.statusCode === 413) return new GatewayError('PAYLOAD_TOO_LARGE', { cause: error });
  if (fe.statusCode === 415) return new GatewayError('UNSUPPORTED_MEDIA_TYPE', { cause: error });
  if (fe.statusCode === 404) return new GatewayError('NOT_FOUND', { cause: error });
  return GatewayError.from(error);
}
