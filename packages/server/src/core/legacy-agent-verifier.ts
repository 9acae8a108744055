import { GatewayError } from './gateway-error.js';
import type { LicenseService } from './license-service.js';
import type { AgentDirectory } from './ports/agent-directory.js';
import type { AgentLink } from './ports/agent-link.js';
import type { DeviceStore } from './ports/device-store.js';
import type { AgentPrincipal } from './principal.js';

/** What a request of the legacy desktop client, which sends no credentials, says about its sender. */
export interface LegacyWriteClaim {
  /** The branch the request writes to. */
  branchId: string;
  /**
   * The device the request names as its sender (bulk: every printer's `discoveredBy`).
   * `undefined` only for a request that writes nothing.
   */
  deviceId: string | undefined;
  /** The client's address, as `clientAddress` reads it (the same rule as for its socket). */
  address: string;
  /** The licence key, when the client sends one. */
  licenseKey: string | undefined;
}

const REFUSED =
  'no desktop app of this branch with that device id is connected from your address; connect the desktop app first';

export interface LegacyAgentVerifierDeps {
  link: AgentLink;
  directory: AgentDirectory;
  devices: DeviceStore;
  licenses: Pick<LicenseService, 'validate'>;
}

/**
 * Decides whether a credential-less write of the legacy 2.0.0 client comes from that client
 * (decision 0006). The client sends no secret on these requests, so the proof is its live,
 * licence-authenticated socket: a legacy socket of the named branch, of the named device,
 * connected from the request's address, on this process or (cluster) on another one; and
 * when a licence key comes with the request, it must be that socket's licence.
 */
export class LegacyAgentVerifier {
  private readonly link: AgentLink;
  private readonly directory: AgentDirectory;
  private readonly devices: DeviceStore;
  private readonly licenses: Pick<LicenseService, 'validate'>;
  constructor(deps: LegacyAgentVerifierDeps) {
    this.link = deps.link;
    this.directory = deps.directory;
    this.devices = deps.devices;
    this.licenses = deps.licenses;
  }

  /** The agent the write acts as; `AUTH_FAILED` unless the claim holds. */
  async verify(claim: LegacyWriteClaim): Promise<AgentPrincipal> {
    const agent = this.onThisProcess(claim) ?? (await this.onAnotherProcess(claim));
    if (!agent) throw new GatewayError('AUTH_FAILED', { message: REFUSED });
    if (claim.licenseKey !== undefined) {
      const { license } = await this.licenses.validate(claim.licenseKey, agent.deviceId);
      if (license.id !== agent.licenseId) {
        throw new GatewayError('AUTH_FAILED', { message: 'that licence key is not the licence of the connected app' });
      }
    }
    return agent;
  }

  private onThisProcess(claim: LegacyWriteClaim): AgentPrincipal | undefined {
    const candidates =
      claim.deviceId === undefined
        ? this.link.agentsInBranch(claim.branchId)
        : [this.link.findAgent(claim.branchId, claim.deviceId)];
    const agent = candidates.find((a) => a !== undefined && a.protocol === 'legacy' && a.address === claim.address);
    if (!agent) return undefined;
    return {
      kind: 'agent',
      deviceId: agent.deviceId,
      companyId: agent.companyId,
      branchId: agent.branchId,
      licenseId: agent.licenseId,
    };
  }

  /**
   * Behind a balancer without address affinity the request may reach a process other than
   * the one holding the socket; the directory knows every live socket, the device row its licence.
   */
  private async onAnotherProcess(claim: LegacyWriteClaim): Promise<AgentPrincipal | undefined> {
    const records =
      claim.deviceId === undefined
        ? await this.directory.inBranch(claim.branchId)
        : [await this.directory.find(claim.branchId, claim.deviceId)];
    const record = records.find((r) => r !== undefined && r.protocol === 'legacy' && r.address === claim.address);
    if (!record) return undefined;
    const device = await this.devices.find(record.branchId, record.deviceId);
    if (!device?.licenseId) return undefined;
    return {
      kind: 'agent',
      deviceId: record.deviceId,
      companyId: record.companyId,
      branchId: record.branchId,
      licenseId: device.licenseId,
    };
  }
}
