import type { StationView } from '@printermaster/protocol';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { JwtService } from '../../auth/jwt-service.js';
import type { Station } from '../../core/ports/station-store.js';
import { MAX_STATION_PRINTERS, type StationService } from '../../core/station-service.js';
import { requireUser } from '../authenticate.js';
import { USER_SECURITY } from './user-security.js';

const Id = Type.String({ minLength: 1, maxLength: 128 });
const Name = Type.String({ minLength: 1, maxLength: 64, pattern: '\\S' });
const PrinterIds = Type.Array(Id, { minItems: 1, maxItems: MAX_STATION_PRINTERS, description: 'First choice first' });
const Params = Type.Object({ stationId: Id });
const ListQuery = Type.Object(
  { companyId: Type.Optional(Id), branchId: Type.Optional(Id) },
  { additionalProperties: false },
);
const CreateBody = Type.Object({ branchId: Id, name: Name, printerIds: PrinterIds }, { additionalProperties: false });
const UpdateBody = Type.Object(
  { name: Type.Optional(Name), printerIds: Type.Optional(PrinterIds) },
  { additionalProperties: false, minProperties: 1 },
);

function toStationView(s: Station): StationView {
  return {
    id: s.id,
    companyId: s.companyId,
    branchId: s.branchId,
    name: s.name,
    printerIds: s.printerIds,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

/**
 * docs/api.md#stations: a branch's stations and their ordered printers. Registered under
 * `/printing` and `/api/v1/printing`; managers change them, anyone in scope reads them.
 */
export async function stationRoutes(
  app: FastifyInstance,
  opts: { jwt: JwtService; stations: StationService },
): Promise<void> {
  const { jwt, stations } = opts;
  const tags = ['stations'];
  const security = USER_SECURITY;

  app.get('/stations', { schema: { tags, security, querystring: ListQuery } }, async (request) => {
    const user = await requireUser(jwt, request);
    const list = await stations.list(user, request.query as Static<typeof ListQuery>);
    return { success: true, stations: list.map(toStationView), total: list.length };
  });

  app.post('/stations', { schema: { tags, security, body: CreateBody } }, async (request, reply) => {
    const user = await requireUser(jwt, request);
    const { branchId, ...fields } = request.body as Static<typeof CreateBody>;
    const station = await stations.create(user, branchId, fields, { sourceAddress: request.ip });
    return reply.status(201).send({ success: true, station: toStationView(station) });
  });

  app.get('/stations/:stationId', { schema: { tags, security, params: Params } }, async (request) => {
    const user = await requireUser(jwt, request);
    const { stationId } = request.params as Static<typeof Params>;
    return { success: true, station: toStationView(await stations.get(user, stationId)) };
  });

  app.patch(
    '/stations/:stationId',
    { schema: { tags, security, params: Params, body: UpdateBody } },
    async (request) => {
      const user = await requireUser(jwt, request);
      const { stationId } = request.params as Static<typeof Params>;
      const fields = request.body as Static<typeof UpdateBody>;
      return {
        success: true,
        station: toStationView(await stations.update(user, stationId, fields, { sourceAddress: request.ip })),
      };
    },
  );

  app.delete('/stations/:stationId', { schema: { tags, security, params: Params } }, async (request) => {
    const user = await requireUser(jwt, request);
    const { stationId } = request.params as Static<typeof Params>;
    await stations.delete(user, stationId, { sourceAddress: request.ip });
    return { success: true };
  });
}
