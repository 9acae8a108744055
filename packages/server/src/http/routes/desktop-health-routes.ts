import { isoTime } from '@printermaster/protocol';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { JwtService } from '../../auth/jwt-service.js';
import type { DesktopHealthService } from '../../core/desktop-health-service.js';
import type { ServiceRegistryService } from '../../core/service-registry-service.js';
import { requireUser } from '../authenticate.js';
import { USER_SECURITY } from './user-security.js';

const Id = Type.String({ minLength: 1, maxLength: 128 });
const ListQuery = Type.Object(
  { companyId: Type.Optional(Id), branchId: Type.Optional(Id) },
  { additionalProperties: false },
);
const DetailParams = Type.Object({ deviceId: Id });
const DetailQuery = Type.Object({ branchId: Type.Optional(Id) }, { additionalProperties: false });

/** docs/api.md#desktop-health-and-service-registry: Under `/printing` and `/api/v1/printing`. */
export async function desktopHealthRoutes(
  app: FastifyInstance,
  opts: { jwt: JwtService; desktopHealth: DesktopHealthService; registry: ServiceRegistryService },
): Promise<void> {
  const tags = ['desktop health'];
  const security = USER_SECURITY;

  app.get('/desktop-health', { schema: { tags, security, querystring: ListQuery } }, async (request) => {
    const user = await requireUser(opts.jwt, request);
    return { success: true, ...(await opts.desktopHealth.summary(user, request.query as Static<typeof ListQuery>)) };
  });

  app.get(
    '/desktop-health/:deviceId',
    { schema: { tags, security, params: DetailParams, querystring: DetailQuery } },
    async (request) => {
      const user = await requireUser(opts.jwt, request);
      const { deviceId } = request.params as Static<typeof DetailParams>;
      const { branchId } = request.query as Static<typeof DetailQuery>;
      return {
        success: true,
        timestamp: isoTime(Date.now()),
        ...(await opts.desktopHealth.detail(user, deviceId, branchId)),
      };
    },
  );

  app.get('/service-registry/status', { schema: { tags, security } }, async (request) => {
    const user = await requireUser(opts.jwt, request);
    return { success: true, timestamp: isoTime(Date.now()), ...(await opts.registry.status(user)) };
  });
}
