import type { FastifyReply, FastifyRequest } from 'fastify';
import { ACCESS_COOKIE, CSRF_HEADER, isOwnOrigin, isSafeMethod } from '../auth/web-session-cookies.js';
import { GatewayError } from '../core/gateway-error.js';

/*
 * What @fastify/cookie adds to requests and replies. Its own declaration merging does not reach
 * this package's Fastify types under NodeNext resolution, so the few members used are named here.
 */
export type CookieRequest = FastifyRequest & { cookies?: Record<string, string | undefined> };
export interface CookieOptions {
  httpOnly: boolean;
  sameSite: 'strict';
  secure: boolean;
  path: string;
  expires?: Date;
}
export type CookieReply = FastifyReply & {
  setCookie(name: string, value: string, options: CookieOptions): CookieReply;
  clearCookie(name: string, options: { path: string }): CookieReply;
};

/** A cookie the request carries. */
export function requestCookie(request: FastifyRequest, name: string): string | undefined {
  return (request as CookieRequest).cookies?.[name];
}

/**
 * The access token of the dashboard's session cookie, for a request that sent no other
 * credential; `undefined` when there is none. A cookie sent from another origin, or on a write
 * without the CSRF header, is refused rather than ignored, so the page learns why.
 */
export function cookieCredential(request: FastifyRequest): string | undefined {
  const token = requestCookie(request, ACCESS_COOKIE);
  if (!token) return undefined;
  const origin = request.headers.origin;
  if (!isOwnOrigin(typeof origin === 'string' ? origin : undefined, request.host)) {
    throw new GatewayError('FORBIDDEN', {
      message: 'the session cookie is accepted from the gateway’s own pages only',
    });
  }
  if (!isSafeMethod(request.method) && request.headers[CSRF_HEADER] === undefined) {
    throw new GatewayError('FORBIDDEN', {
      message: `a request signed in by cookie must send the ${CSRF_HEADER} header`,
    });
  }
  return token;
}
