import { INSTANT_FORMAT, instantMs } from '@printermaster/protocol';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { JwtService } from '../../auth/jwt-service.js';
import type { Clock } from '../../core/clock.js';
import { toLicenceView } from '../../core/licence-view.js';
import { DEFAULT_ROTATION_GRACE_MS, type LicenseService, MAX_ROTATION_GRACE_MS } from '../../core/license-service.js';
import { requireUser } from '../authenticate.js';
import { USER_SECURITY } from './user-security.js';

const Id = Type.String({ minLength: 1, maxLength: 128 });
const DeviceId = Type.String({ minLength: 1, maxLength: 128 });

const IssueBody = Type.Object(
  {
    branchId: Id,
    /** Printers the licence's agents may report (default 10). */
    maxPrinters: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    /** When the licence expires (years 1–9999, ISO 8601 recommended); never when absent or null. */
    expiresAt: Type.Optional(Type.Union([Type.String({ maxLength: 64, format: INSTANT_FORMAT }), Type.Null()])),
    /** Only this device may use the licence. */
    boundDeviceId: Type.Optional(DeviceId),
    features: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 32 })),
  },
  { additionalProperties: false },
);
const ListQuery = Type.Object(
  { companyId: Type.Optional(Id), branchId: Type.Optional(Id) },
  { additionalProperties: false },
);
const Params = Type.Object({ licenceId: Id });
const RotateBody = Type.Union([
  Type.Object(
    {
      graceSeconds: Type.Optional(
        Type.Integer({
          minimum: 0,
          maximum: MAX_ROTATION_GRACE_MS / 1000,
          description: `How long the replaced key stays valid, s (default ${DEFAULT_ROTATION_GRACE_MS / 1000}; 0: not at all)`,
        }),
      ),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);
const BindBody = Type.Object({ deviceId: DeviceId }, { additionalProperties: false });

/** An answer carrying a licence key: no cache may keep it. */
function withKey(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store');
}

/**
 * docs/admin-api.md#licences: agent licences, issued (the key in the answer, once), listed,
 * read, revoked, suspended, activated, rotated, bound to a device and unbound.
 */
export async function adminLicenceRoutes(
  app: FastifyInstance,
  opts: { jwt: JwtService; licenses: LicenseService; clock: Clock },
): Promise<void> {
  const { jwt, licenses, clock } = opts;
  const tags = ['admin'];
  const security = USER_SECURITY;
  const view = (license: Parameters<typeof toLicenceView>[0]) => toLicenceView(license, clock.now());

  app.post('/admin/licences', { schema: { tags, security, body: IssueBody } }, async (request, reply) => {
    const user = await requireUser(jwt, request);
    const body = request.body as Static<typeof IssueBody>;
    const expiresMs = typeof body.expiresAt === 'string' ? instantMs(body.expiresAt) : undefined;
    const { license, key } = await licenses.issue({
      branchId: body.branchId,
      maxPrinters: body.maxPrinters,
      expiresAt: expiresMs === undefined ? null : new Date(expiresMs),
      boundDeviceId: body.boundDeviceId ?? null,
      features: body.features,
      actor: user,
    });
    return withKey(reply)
      .status(201)
      .send({ success: true, licence: view(license), licenceKey: key });
  });

  app.get('/admin/licences', { schema: { tags, security, querystring: ListQuery } }, async (request) => {
    const user = await requireUser(jwt, request);
    const list = (await licenses.list(request.query as Static<typeof ListQuery>, user)).map(view);
    return { success: true, licences: list, total: list.length };
  });

  app.get('/admin/licences/:licenceId', { schema: { tags, security, params: Params } }, async (request) => {
    const user = await requireUser(jwt, request);
    const { licenceId } = request.params as Static<typeof Params>;
    return { success: true, licence: view(await licenses.get(licenceId, user)) };
  });

  for (const [action, status] of [
    ['revoke', 'revoked'],
    ['suspend', 'suspended'],
    ['activate', 'active'],
  ] as const) {
    app.post(
      `/admin/licences/:licenceId/${action}`,
      { schema: { tags, security, params: Params } },
      async (request) => {
        const user = await requireUser(jwt, request);
        const { licenceId } = request.params as Static<typeof Params>;
        return { success: true, licence: view(await licenses.setStatus(licenceId, status, user)) };
      },
    );
  }

  app.post(
    '/admin/licences/:licenceId/rotate',
    { schema: { tags, security, params: Params, body: RotateBody } },
    async (request, reply) => {
      const user = await requireUser(jwt, request);
      const { licenceId } = request.params as Static<typeof Params>;
      const graceSeconds = (request.body as Static<typeof RotateBody>)?.graceSeconds;
      const graceMs = graceSeconds === undefined ? DEFAULT_ROTATION_GRACE_MS : graceSeconds * 1000;
      const { license, key } = await licenses.rotate(licenceId, user, graceMs);
      return withKey(reply).send({ success: true, licence: view(license), licenceKey: key });
    },
  );

  app.post(
    '/admin/licences/:licenceId/bind',
    { schema: { tags, security, params: Params, body: BindBody } },
    async (request) => {
      const user = await requireUser(jwt, request);
      const { licenceId } = request.params as Static<typeof Params>;
      const { deviceId } = request.body as Static<typeof BindBody>;
      return { success: true, licence: view(await licenses.bind(licenceId, deviceId, user)) };
    },
  );

  app.post('/admin/licences/:licenceId/unbind', { schema: { tags, security, params: Params } }, async (request) => {
    const user = await requireUser(jwt, request);
    const { licenceId } = request.params as Static<typeof Params>;
    return { success: true, licence: view(await licenses.unbind(licenceId, user)) };
  });
}
