import { ROLES } from '@printermaster/protocol';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { JwtService } from '../../auth/jwt-service.js';
import type { SessionTokens } from '../../auth/session-tokens.js';
import type { SessionService } from '../../core/session-service.js';
import { requireUser } from '../authenticate.js';
import { USER_SECURITY } from './user-security.js';

const Id = Type.String({ minLength: 1, maxLength: 128 });

const SessionBody = Type.Object(
  {
    sub: Type.String({ minLength: 1, maxLength: 255, description: "The user's id on the platform" }),
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 320 })),
    role: Type.Union(ROLES.map((r) => Type.Literal(r))),
    companyId: Type.Optional(Id),
    branchId: Type.Optional(Id),
  },
  { additionalProperties: false },
);
const RefreshBody = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);
const Pair = Type.Object({
  success: Type.Boolean(),
  accessToken: Type.String(),
  accessTokenExpiresAt: Type.String(),
  refreshToken: Type.String({ description: 'Used once: POST /auth/refresh hands out the next' }),
  refreshTokenExpiresAt: Type.String(),
  sessionId: Type.String(),
});

/** docs/credentials.md#sessions: web users' sessions (short access tokens, rotating refresh tokens). */
export async function sessionRoutes(
  app: FastifyInstance,
  opts: { jwt: JwtService; sessions: SessionService; tokens: SessionTokens },
): Promise<void> {
  const { jwt, sessions, tokens } = opts;
  const tags = ['sessions'];
  const security = USER_SECURITY;

  app.post(
    '/auth/sessions',
    { schema: { tags, security, body: SessionBody, response: { 201: Pair } } },
    async (request, reply) => {
      const caller = await requireUser(jwt, request);
      const body = request.body as Static<typeof SessionBody>;
      return reply
        .status(201)
        .send({ success: true, ...(await tokens.begin(caller, body, { sourceAddress: request.ip })) });
    },
  );

  app.post(
    '/auth/refresh',
    {
      schema: { tags, body: RefreshBody, response: { 200: Pair } },
      // No caller yet: refreshes count against the client's address.
      config: { writeIdentity: (request) => ({ credential: `refresh:${request.ip}`, branchId: undefined }) },
    },
    async (request) => {
      const { refreshToken } = request.body as Static<typeof RefreshBody>;
      return { success: true, ...(await tokens.refresh(refreshToken, { sourceAddress: request.ip })) };
    },
  );

  app.post(
    '/auth/logout',
    { schema: { tags, security, response: { 200: Type.Object({ success: Type.Boolean(), message: Type.String() }) } } },
    async (request) => {
      const caller = await requireUser(jwt, request);
      await sessions.logout(caller, { sourceAddress: request.ip });
      return { success: true, message: 'session ended' };
    },
  );
}
