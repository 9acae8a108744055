import { type WebSession, WebSessionSchema } from '@printermaster/protocol';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JwtService } from '../../auth/jwt-service.js';
import type { SessionPair, SessionTokens } from '../../auth/session-tokens.js';
import {
  ACCESS_COOKIE,
  CSRF_HEADER,
  isOwnOrigin,
  REFRESH_COOKIE,
  REFRESH_COOKIE_PATH,
} from '../../auth/web-session-cookies.js';
import { GatewayError } from '../../core/gateway-error.js';
import type { UserPrincipal } from '../../core/principal.js';
import type { SessionService } from '../../core/session-service.js';
import { requireUser } from '../authenticate.js';
import { type CookieReply, requestCookie } from '../cookie-credential.js';

const LoginBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 512, description: 'The one-time code of a login link' }) },
  { additionalProperties: false },
);
const Ended = Type.Object({ success: Type.Boolean(), message: Type.String() });

/**
 * The dashboard's sessions in cookies (docs/dashboard.md): a login link's one-time code is
 * exchanged for them, the refresh cookie gets the next pair, logout ends the session. Tokens
 * never reach the page: every answer carries the user only.
 */
export async function webSessionRoutes(
  app: FastifyInstance,
  opts: { jwt: JwtService; sessions: SessionService; tokens: SessionTokens },
): Promise<void> {
  const { jwt, sessions, tokens } = opts;
  const tags = ['dashboard'];
  // No caller yet: sign-ins and refreshes count against the client's address.
  const byAddress = {
    writeIdentity: (request: FastifyRequest) => ({ credential: `refresh:${request.ip}`, branchId: undefined }),
  };

  app.post(
    '/auth/web/login',
    { schema: { tags, body: LoginBody, response: { 200: WebSessionSchema } }, config: byAddress },
    async (request, reply) => {
      checkPageRequest(request);
      const { code } = request.body as Static<typeof LoginBody>;
      return signIn(request, reply, await tokens.refresh(code, { sourceAddress: request.ip }));
    },
  );

  app.post(
    '/auth/web/refresh',
    { schema: { tags, response: { 200: WebSessionSchema } }, config: byAddress },
    async (request, reply) => {
      checkPageRequest(request);
      const refreshToken = requestCookie(request, REFRESH_COOKIE);
      if (!refreshToken) throw new GatewayError('AUTH_FAILED', { message: 'not signed in' });
      try {
        return await signIn(request, reply, await tokens.refresh(refreshToken, { sourceAddress: request.ip }));
      } catch (err) {
        clearCookies(reply);
        throw err;
      }
    },
  );

  app.post('/auth/web/logout', { schema: { tags, response: { 200: Ended } } }, async (request, reply) => {
    checkPageRequest(request);
    const user = await signedInUser(request);
    clearCookies(reply);
    if (user?.sessionId !== undefined) await sessions.logout(user, { sourceAddress: request.ip });
    return { success: true, message: 'signed out' };
  });

  app.get('/auth/web/me', { schema: { tags, response: { 200: WebSessionSchema } } }, async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    return meOf(await requireUser(jwt, request));
  });

  /** The caller of a logout: its access cookie, else its refresh cookie (spent to learn the session). */
  async function signedInUser(request: FastifyRequest): Promise<UserPrincipal | undefined> {
    try {
      return await requireUser(jwt, request);
    } catch {
      const refreshToken = requestCookie(request, REFRESH_COOKIE);
      if (!refreshToken) return undefined;
      try {
        return await jwt.verify((await tokens.refresh(refreshToken, { sourceAddress: request.ip })).accessToken);
      } catch {
        return undefined;
      }
    }
  }

  async function signIn(request: FastifyRequest, reply: FastifyReply, pair: SessionPair) {
    const secure = request.protocol === 'https';
    const base = { httpOnly: true, sameSite: 'strict', secure } as const;
    const accessExpires = new Date(pair.accessTokenExpiresAt);
    const refreshExpires = new Date(pair.refreshTokenExpiresAt);
    void (reply as CookieReply).header('cache-control', 'no-store');
    void (reply as CookieReply)
      .setCookie(ACCESS_COOKIE, pair.accessToken, { ...base, path: '/', expires: accessExpires })
      .setCookie(REFRESH_COOKIE, pair.refreshToken, { ...base, path: REFRESH_COOKIE_PATH, expires: refreshExpires });
    return meOf(await jwt.verify(pair.accessToken));
  }
}

function meOf(user: UserPrincipal): WebSession {
  return {
    success: true,
    user: {
      userId: user.userId,
      role: user.role,
      ...(user.email === undefined ? {} : { email: user.email }),
      ...(user.companyId === undefined ? {} : { companyId: user.companyId }),
      ...(user.branchId === undefined ? {} : { branchId: user.branchId }),
    },
    ...(user.expiresAt === undefined ? {} : { expiresAt: new Date(user.expiresAt).toISOString() }),
  };
}

function clearCookies(reply: FastifyReply): void {
  void (reply as CookieReply)
    .clearCookie(ACCESS_COOKIE, { path: '/' })
    .clearCookie(REFRESH_COOKIE, { path: REFRESH_COOKIE_PATH });
}

/** The session routes act on cookies alone: only the gateway's own pages may call them (CSRF). */
function checkPageRequest(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (request.headers[CSRF_HEADER] === undefined || !isOwnOrigin(origin, request.host)) {
    throw new GatewayError('FORBIDDEN', {
      message: `the dashboard's session routes take requests of its own pages only (with ${CSRF_HEADER})`,
    });
  }
}
