import { type ApiKeyView, ApiKeyViewSchema, INSTANT_FORMAT, ROLES } from '@printermaster/protocol';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { JwtService } from '../../auth/jwt-service.js';
import type { ApiKeyService } from '../../core/api-key-service.js';
import type { ApiKey } from '../../core/ports/api-key-store.js';
import { requireUser } from '../authenticate.js';
import { USER_SECURITY } from './user-security.js';

const Id = Type.String({ minLength: 1, maxLength: 128 });
const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));

const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128, description: 'What the key is for, e.g. "POS server, Main St"' }),
    role: Role,
    companyId: Type.Optional(Id),
    branchId: Type.Optional(Id),
    expiresAt: Type.Optional(
      Type.Union([Type.String({ maxLength: 64, format: INSTANT_FORMAT }), Type.Null()], {
        description: 'ISO 8601; absent or null: never expires',
      }),
    ),
  },
  { additionalProperties: false },
);
const ListQuery = Type.Object(
  { companyId: Type.Optional(Id), branchId: Type.Optional(Id), includeRevoked: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
const Params = Type.Object({ apiKeyId: Id });

const OneKey = Type.Object({ success: Type.Boolean(), apiKey: ApiKeyViewSchema });

/** docs/credentials.md#api-keys: API keys of POS servers and integrations. */
export async function apiKeyRoutes(
  app: FastifyInstance,
  opts: { jwt: JwtService; apiKeys: ApiKeyService },
): Promise<void> {
  const { jwt, apiKeys } = opts;
  const tags = ['api keys'];
  const security = USER_SECURITY;

  app.post(
    '/admin/api-keys',
    {
      schema: {
        tags,
        security,
        body: CreateBody,
        response: {
          201: Type.Object({
            success: Type.Boolean(),
            apiKey: ApiKeyViewSchema,
            key: Type.String({ description: 'The key itself: shown this once, never stored' }),
          }),
        },
      },
    },
    async (request, reply) => {
      const user = await requireUser(jwt, request);
      const { expiresAt, ...body } = request.body as Static<typeof CreateBody>;
      const created = await apiKeys.create(user, {
        ...body,
        ...(expiresAt === undefined ? {} : { expiresAt: expiresAt === null ? null : new Date(expiresAt) }),
      });
      const now = Date.now();
      return reply.status(201).send({ success: true, apiKey: toApiKeyView(created.apiKey, now), key: created.key });
    },
  );

  app.get(
    '/admin/api-keys',
    {
      schema: {
        tags,
        security,
        querystring: ListQuery,
        response: {
          200: Type.Object({ success: Type.Boolean(), apiKeys: Type.Array(ApiKeyViewSchema), total: Type.Integer() }),
        },
      },
    },
    async (request) => {
      const user = await requireUser(jwt, request);
      const list = await apiKeys.list(user, request.query as Static<typeof ListQuery>);
      const now = Date.now();
      return { success: true, apiKeys: list.map((k) => toApiKeyView(k, now)), total: list.length };
    },
  );

  app.get(
    '/admin/api-keys/:apiKeyId',
    { schema: { tags, security, params: Params, response: { 200: OneKey } } },
    async (request) => {
      const user = await requireUser(jwt, request);
      const { apiKeyId } = request.params as Static<typeof Params>;
      return { success: true, apiKey: toApiKeyView(await apiKeys.get(user, apiKeyId), Date.now()) };
    },
  );

  const revoke = async (request: Parameters<typeof requireUser>[1]) => {
    const user = await requireUser(jwt, request);
    const { apiKeyId } = request.params as Static<typeof Params>;
    return { success: true, apiKey: toApiKeyView(await apiKeys.revoke(user, apiKeyId), Date.now()) };
  };
  app.post(
    '/admin/api-keys/:apiKeyId/revoke',
    { schema: { tags, security, params: Params, response: { 200: OneKey } } },
    revoke,
  );
  app.delete(
    '/admin/api-keys/:apiKeyId',
    { schema: { tags, security, params: Params, response: { 200: OneKey } } },
    revoke,
  );
}

function toApiKeyView(k: ApiKey, now: number): ApiKeyView {
  const status = k.revokedAt ? 'revoked' : k.expiresAt && k.expiresAt.getTime() <= now ? 'expired' : 'active';
  return {
    id: k.id,
    name: k.name,
    role: k.role,
    prefix: k.prefix,
    companyId: k.companyId,
    branchId: k.branchId,
    status,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
    createdBy: k.createdBy,
    createdAt: k.createdAt.toISOString(),
  };
}
