import { arch, cpus, hostname, platform, totalmem } from 'node:os';
import { checkPayload, isoTime, LicenceValidationReplySchema } from '@printermaster/protocol';
import type { AgentLogger } from './agent-logger.js';
import { backoffDelay, sleep } from './backoff.js';

export interface LicenceClientDeps {
  serverUrl: string;
  licenseKey: string;
  deviceId: string;
  appVersion: string;
  logger: AgentLogger;
  now: () => number;
  /** Backoff between attempts: first delay and cap, ms (jittered). */
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** Aborted when the agent stops: no more attempts. */
  stopped: AbortSignal;
}

/** What a valid licence tells the agent. */
export interface ValidLicence {
  /** The branch the licence is bound to; the socket handshake names it. */
  branchId: string;
  branchName?: string;
}

/** Time one validation request may take, ms. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Validates the licence over REST before the agent connects (docs/protocol.md#agent-handshake), as the
 * desktop clients do: the answer names the branch the socket handshake must name.
 */
export class LicenceClient {
  constructor(private readonly deps: LicenceClientDeps) {}

  /** Retries with backoff until the gateway accepts the licence; `undefined` once the agent stops. */
  async validate(): Promise<ValidLicence | undefined> {
    const { deps } = this;
    for (let attempt = 0; !deps.stopped.aborted; attempt++) {
      const licence = await this.attempt(attempt);
      if (licence) return licence;
      await sleep(backoffDelay(attempt, deps.reconnectBaseMs, deps.reconnectMaxMs), deps.stopped);
    }
    return undefined;
  }

  private async attempt(attempt: number): Promise<ValidLicence | undefined> {
    const { logger } = this.deps;
    let status: number;
    let body: unknown;
    try {
      const res = await fetch(`${this.deps.serverUrl}/api/v1/printer-licenses/validate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ licenseKey: this.deps.licenseKey, deviceInfo: this.deviceInfo() }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      status = res.status;
      body = await res.json();
      if (!res.ok) {
        const { code, message } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
        logger.error({ status, code, message }, 'licence rejected by the gateway; retrying');
        return undefined;
      }
    } catch (err) {
      logger.warn({ err: (err as Error).message, attempt }, 'gateway unreachable for licence validation; retrying');
      return undefined;
    }
    const checked = checkPayload(LicenceValidationReplySchema, body);
    if (!checked.ok) {
      const { path, message } = checked.problem;
      logger.error({ status, path, message }, 'licence answer from the gateway is malformed; retrying');
      return undefined;
    }
    const { branchId, branchName } = checked.value.data;
    logger.info({ branchId, branchName }, 'licence valid');
    return { branchId, ...(branchName !== undefined ? { branchName } : {}) };
  }

  private deviceInfo() {
    return {
      deviceId: this.deps.deviceId,
      hostname: hostname(),
      platform: platform(),
      arch: arch(),
      totalmem: totalmem(),
      cpus: cpus().length,
      version: this.deps.appVersion,
      timestamp: isoTime(this.deps.now()),
    };
  }
}
