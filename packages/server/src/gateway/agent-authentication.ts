import { randomUUID } from 'node:crypto';
import { AgentAuthSchema } from '@printermaster/protocol';
import { clientAddress } from '../client-address.js';
import type { Clock } from '../core/clock.js';
import { hashLicenseKey, type LicenseService } from '../core/license-service.js';
import type { Logger } from '../core/ports/logger.js';
import { FieldsLogger } from './fields-logger.js';
import type { AgentSession, AgentSocket } from './gateway-sockets.js';
import { validatePayload } from './payload-validator.js';

export interface AgentAuthenticationDeps {
  licenses: Pick<LicenseService, 'authenticateAgent'>;
  clock: Clock;
  logger: Logger;
  /** Take the client's address from X-Forwarded-For (behind a proxy). */
  trustProxy: boolean;
}

/**
 * Whether a handshake is an agent's: legacy 2.0.0 clients announce `userRole: 'desktop_app'`,
 * and anything carrying a licence key is checked as one (and refused as one if it is not).
 */
export function isAgentHandshake(auth: Record<string, unknown>): boolean {
  return auth.userRole === 'desktop_app' || auth.licenseKey !== undefined;
}

/**
 * Admits an agent by its licence key (docs/protocol.md#agent-handshake). A handshake with
 * `protocolVersion` 2 or more is a v2 agent; without, a legacy 2.0.0 client, which is
 * never sent print jobs.
 */
export class AgentAuthentication {
  constructor(private readonly deps: AgentAuthenticationDeps) {}

  /**
   * Checks the handshake's `auth` and the licence behind it; resolves with the agent's
   * session, or rejects with `BAD_REQUEST` (auth out of shape), `AUTH_FAILED` or
   * `LICENSE_INVALID`.
   */
  async admit(socket: AgentSocket, raw: Record<string, unknown>): Promise<AgentSession> {
    const auth = validatePayload(AgentAuthSchema, raw, 'agent handshake');
    const licensed = await this.deps.licenses.authenticateAgent(auth);
    const { deviceId, companyId, branchId, licenseId } = licensed;
    const protocol = auth.protocolVersion !== undefined && auth.protocolVersion >= 2 ? 'v2' : 'legacy';
    const { headers, address } = socket.handshake;
    return {
      kind: 'agent',
      principal: { kind: 'agent', deviceId, companyId, branchId, licenseId },
      agent: {
        deviceId,
        companyId,
        branchId,
        licenseId,
        address: clientAddress(headers, address, this.deps.trustProxy),
        protocol,
        capabilities: auth.capabilities ?? [],
        connectedAt: this.deps.clock.now(),
      },
      auth,
      sessionId: randomUUID(),
      credential: {
        keyHash: hashLicenseKey(auth.licenseKey),
        deviceId,
        branchId,
        expiresAt: licensed.validUntil?.getTime(),
      },
      socket,
      log: new FieldsLogger(this.deps.logger, { deviceId, branchId, socketId: socket.id }),
      pingSentAt: undefined,
    };
  }
}
