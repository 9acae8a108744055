import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_SPECS, type ErrorCode } from '@printermaster/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../core/gateway-error.js';
import type { Logger } from '../core/ports/logger.js';

/** Longest path parameter the router reads; longer ones are 414 `URI_TOO_LONG`. Ids are at most 128. */
export const MAX_PATH_PARAM_LENGTH = 256;

/**
 * Fastify's `frameworkErrors`: what its router refuses before any route or hook runs (a path
 * that is not valid percent-encoding, a path parameter over `MAX_PATH_PARAM_LENGTH`) gets the
 * API's error envelope instead of Fastify's own body.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const [code, message]: [ErrorCode, string] =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? ['URI_TOO_LONG', `a path parameter is longer than ${MAX_PATH_PARAM_LENGTH} characters`]
      : error.code === 'FST_ERR_BAD_URL'
        ? ['BAD_REQUEST', 'the request path is not valid percent-encoding']
        : ['INTERNAL', ERROR_SPECS.INTERNAL.message];
  if (code === 'INTERNAL') request.log.error({ err: error }, 'request failed');
  else request.log.info({ code, message }, 'request rejected');
  void reply.status(ERROR_SPECS[code].status).send({ success: false, code, message });
}

/**
 * The HTTP server's `clientError` listener (and Fastify's `clientErrorHandler`): a request
 * Node's parser refuses (headers over 16 KB, not HTTP at all, headers too slow to arrive) gets
 * the error envelope on the raw socket, which is then closed. Safe to attach twice: once the
 * socket is answered it is no longer writable and a second call only makes sure it is destroyed.
 */
export function createClientErrorHandler(logger: Logger): (err: NodeJS.ErrnoException, socket: Duplex) => void {
  return (err, socket) => {
    // A request answered already (a 401 while its body still arrives) gets no second response:
    // Node's own handler does the same.
    const answering = (socket as { _httpMessage?: { headersSent?: boolean } | null })._httpMessage?.headersSent;
    if (err.code === 'ECONNRESET' || !socket.writable || answering === true) {
      socket.destroy();
      return;
    }
    const code: ErrorCode =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? 'HEADERS_TOO_LARGE'
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 'REQUEST_TIMEOUT'
          : 'BAD_REQUEST';
    const message = code === 'BAD_REQUEST' ? 'the request is not valid HTTP' : ERROR_SPECS[code].message;
    logger.debug({ code, reason: err.code }, 'client error answered');
    answerOnSocket(socket, code, message);
  };
}

/** Writes the error envelope as a whole HTTP response on a raw socket, then closes it. */
export function answerOnSocket(socket: Duplex, code: ErrorCode, message: string): void {
  // Node has taken its own error listener off a socket it hands over (CONNECT, a parse error): a
  // reset while the answer is written must not be an uncaught 'error' (it would stop the process).
  socket.on('error', () => socket.destroy());
  const status = ERROR_SPECS[code].status;
  const body = JSON.stringify({ success: false, code, message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

/**
 * CORS preflights the API refuses, answered in the error envelope before @fastify/cors sees
 * them (it would send a bare 400 text, or a 204 without CORS headers): an `OPTIONS` without
 * `Origin` and `Access-Control-Request-Method` is 400 `BAD_REQUEST`, one from an origin
 * outside `CORS_ORIGINS` is 403 `FORBIDDEN`. Register before the CORS plugin.
 */
export function installPreflightCheck(app: FastifyInstance, corsOrigins: readonly string[]): void {
  const anyOrigin = corsOrigins.includes('*');
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.method !== 'OPTIONS') {
      done();
      return;
    }
    const origin = request.headers.origin;
    if (!origin || !request.headers['access-control-request-method']) {
      done(
        new GatewayError('BAD_REQUEST', {
          message: 'a CORS preflight names its Origin and Access-Control-Request-Method',
        }),
      );
    } else if (!anyOrigin && !corsOrigins.includes(origin)) {
      done(new GatewayError('FORBIDDEN', { message: `origin ${origin.slice(0, 200)} is not allowed (CORS_ORIGINS)` }));
    } else done();
  });
}
