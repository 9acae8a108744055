import { isoTime, LICENSE_KEY_PATTERN, PRINTER_STATUSES } from '@printermaster/protocol';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { clientAddress } from '../../client-address.js';
import { GatewayError } from '../../core/gateway-error.js';
import type { LegacyAgentVerifier, LegacyWriteClaim } from '../../core/legacy-agent-verifier.js';
import { hashLicenseKey, type LicenseService } from '../../core/license-service.js';
import type { DeviceStore } from '../../core/ports/device-store.js';
import type { RateLimiter } from '../../core/ports/rate-limiter.js';
import type { AgentPrincipal } from '../../core/principal.js';
import type { PrinterService, ReportedPrinter } from '../../core/printer-service.js';
import type { WriteIdentityResolver } from '../write-rate-limit.js';

const Text = (max: number) => Type.String({ maxLength: max });
const ValidateBody = Type.Object({
  licenseKey: Type.String({ minLength: 1, maxLength: 128 }),
  deviceInfo: Type.Optional(
    Type.Object({
      deviceId: Type.Optional(Text(128)),
      hostname: Type.Optional(Text(255)),
      platform: Type.Optional(Text(64)),
      arch: Type.Optional(Text(64)),
      totalmem: Type.Optional(Type.Number()),
      cpus: Type.Optional(Type.Union([Type.Number(), Type.Array(Type.Unknown(), { maxItems: 1024 })])),
      version: Type.Optional(Text(64)),
      timestamp: Type.Optional(Type.Union([Text(64), Type.Number()])),
    }),
  ),
});

const BulkPrinter = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 128 }),
  type: Type.Optional(Text(64)),
  connection: Type.Optional(Text(64)),
  status: Type.Optional(Type.String({ maxLength: 32 })),
  ip: Type.Optional(Type.Union([Text(255), Type.Null()])),
  port: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 65535 }), Type.Null()])),
  manufacturer: Type.Optional(Type.Union([Text(128), Type.Null()])),
  model: Type.Optional(Type.Union([Text(128), Type.Null()])),
  location: Type.Optional(Type.Union([Text(128), Type.Null()])),
  paperWidth: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  assignedTo: Type.Optional(Type.Union([Text(128), Type.Null()])),
  isDefault: Type.Optional(Type.Boolean()),
  capabilities: Type.Optional(Type.Array(Text(64), { maxItems: 64 })),
  branchId: Type.Optional(Text(128)),
  discoveryMethod: Type.Optional(Text(64)),
  discoveredBy: Type.Optional(Text(128)),
  systemPrinter: Type.Optional(Type.Unknown()),
});
const BulkBody = Type.Object({
  branchId: Type.String({ minLength: 1, maxLength: 128 }),
  printers: Type.Array(BulkPrinter, { maxItems: 200 }),
  /** The 2.0.0 client sends none; a client that does must send its socket's licence. */
  licenseKey: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
});
type BulkBody = Static<typeof BulkBody>;

/**
 * Endpoints the legacy desktop client calls without credentials (docs/protocol.md#legacy-desktop-clients
 * section 8). The bulk endpoint writes only as the client's own live socket
 * (decision 0006): a legacy socket of the branch, of the device the printers
 * name, connected from the request's address.
 */
export async function legacyRoutes(
  app: FastifyInstance,
  opts: {
    licenses: LicenseService;
    printers: PrinterService;
    devices: DeviceStore;
    legacyAgents: LegacyAgentVerifier;
    validateLimiter: RateLimiter;
    trustProxy: boolean;
  },
): Promise<void> {
  const tags = ['desktop clients'];
  // The write limits (write-rate-limit.ts) and the handler both need the bulk request's sender: proved once.
  const senders = new WeakMap<FastifyRequest, Promise<AgentPrincipal>>();
  const bulkSender = (request: FastifyRequest): Promise<AgentPrincipal> => {
    let sender = senders.get(request);
    if (!sender) {
      const address = clientAddress(request.headers, request.socket.remoteAddress, opts.trustProxy);
      sender = opts.legacyAgents.verify(bulkClaim(request.body as BulkBody, address));
      senders.set(request, sender);
    }
    return sender;
  };
  // Validation writes only the device row of a known licence: it counts against that licence.
  const licenceIdentity: WriteIdentityResolver = (request) => ({
    credential: `licence:${hashLicenseKey((request.body as Static<typeof ValidateBody>).licenseKey)}`,
    branchId: undefined,
  });
  const deviceIdentity: WriteIdentityResolver = async (request) => {
    const agent = await bulkSender(request);
    return { credential: `device:${agent.branchId}:${agent.deviceId}`, branchId: agent.branchId };
  };

  const validateOptions = { schema: { tags, body: ValidateBody }, config: { writeIdentity: licenceIdentity } };
  app.post('/api/v1/printer-licenses/validate', validateOptions, async (request) => {
    const address = clientAddress(request.headers, request.socket.remoteAddress, opts.trustProxy);
    const waitMs = await opts.validateLimiter.consume(`validate:${address}`);
    if (waitMs !== undefined) {
      throw new GatewayError('RATE_LIMIT_EXCEEDED', { details: { resetIn: Math.ceil(waitMs / 1000) } });
    }
    const body = request.body as Static<typeof ValidateBody>;
    if (!new RegExp(LICENSE_KEY_PATTERN).test(body.licenseKey)) {
      throw new GatewayError('AUTH_FAILED', { message: 'licence key is not a valid key' });
    }
    const info = body.deviceInfo ?? {};
    const { license, company, branch } = await opts.licenses.validate(body.licenseKey, info.deviceId);
    if (info.deviceId) {
      await opts.devices.upsert({
        companyId: company.id,
        branchId: branch.id,
        deviceId: info.deviceId,
        licenseId: license.id,
        hostname: info.hostname ?? null,
        platform: info.platform ?? null,
        arch: info.arch ?? null,
        appVersion: info.version ?? null,
        lastAddress: address,
      });
    }
    request.log.info({ branchId: branch.id, deviceId: info.deviceId }, 'licence validated');
    return {
      success: true,
      message: 'licence is valid',
      data: {
        licenseKey: body.licenseKey,
        branchId: branch.id,
        branchName: branch.name,
        companyId: company.id,
        companyName: company.name,
        deviceId: info.deviceId ?? null,
        status: license.status,
        expiresAt: license.expiresAt?.toISOString() ?? null,
        features: license.features,
        maxPrinters: license.maxPrinters,
        validatedAt: isoTime(Date.now()),
        deviceInfo: { ...info, deviceId: info.deviceId ?? null },
      },
    };
  });

  const bulkOptions = { schema: { tags, body: BulkBody }, config: { writeIdentity: deviceIdentity } };
  app.post('/api/v1/printing/printers/bulk', bulkOptions, async (request) => {
    const body = request.body as BulkBody;
    const principal = await bulkSender(request);
    const results = [];
    for (const p of body.printers) {
      try {
        const { printer, created } = await opts.printers.upsertReported(principal, toReported(p));
        if (created) opts.printers.announce(printer, 'discovered');
        results.push({ success: true, duplicate: !created, id: printer.id, name: printer.name });
      } catch (err) {
        const e = GatewayError.from(err);
        if (e.code === 'INTERNAL') request.log.error({ err }, 'bulk printer upsert failed');
        results.push({ success: false, duplicate: false, id: null, name: p.name, error: e.message, code: e.code });
      }
    }
    const summary = {
      total: results.length,
      created: results.filter((r) => r.success && !r.duplicate).length,
      duplicates: results.filter((r) => r.duplicate).length,
      failed: results.filter((r) => !r.success).length,
    };
    return { success: summary.failed === 0, results, summary };
  });
}

/**
 * The sender a bulk request names: the 2.0.0 client puts its device id in every printer's
 * `discoveredBy` and its branch in every printer's `branchId`. A request naming no device,
 * two devices or another branch proves nothing; one with no printers writes nothing.
 */
function bulkClaim(body: BulkBody, address: string): LegacyWriteClaim {
  const devices = new Set(body.printers.map((p) => p.discoveredBy));
  const consistent =
    !devices.has(undefined) &&
    devices.size <= 1 &&
    body.printers.every((p) => (p.branchId ?? body.branchId) === body.branchId);
  if (!consistent) {
    throw new GatewayError('AUTH_FAILED', {
      message: 'every printer must name the one desktop app that found it (discoveredBy) and the request’s branch',
    });
  }
  const [deviceId] = devices;
  return { branchId: body.branchId, deviceId, address, licenseKey: body.licenseKey };
}

function toReported(p: Static<typeof BulkPrinter>): ReportedPrinter {
  const status = (PRINTER_STATUSES as readonly string[]).includes(p.status ?? '')
    ? (p.status as ReportedPrinter['status'])
    : undefined;
  return {
    name: p.name,
    type: p.type,
    connection: p.connection,
    status,
    ip: p.ip ?? undefined,
    port: p.port ? p.port : undefined,
    manufacturer: p.manufacturer ?? undefined,
    model: p.model ?? undefined,
    location: p.location ?? undefined,
    paperWidth: typeof p.paperWidth === 'number' && Number.isInteger(p.paperWidth) ? p.paperWidth : undefined,
    assignedTo: p.assignedTo ?? undefined,
    isDefault: p.isDefault,
    capabilities: p.capabilities,
    discoveredBy: p.discoveredBy,
    discoveryMethod: p.discoveryMethod,
    systemName: typeof p.systemPrinter === 'string' ? p.systemPrinter : undefined,
  };
}
