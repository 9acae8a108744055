import type { DeviceStore } from './ports/device-store.js';
import type { Logger } from './ports/logger.js';

export interface GoneSessionSweepOptions {
  /** This process's instance id: its own sessions are never closed by the sweep. */
  instanceId: string;
  /** Sessions opened less than this long ago are left alone (their process may not have announced itself yet), ms. */
  minAgeMs: number;
}

export interface GoneSessionSweepDeps {
  listLive: () => Promise<readonly string[]>;
  devices: Pick<DeviceStore, 'closeSessionsOfGoneInstances'>;
  logger: Logger;
  options: GoneSessionSweepOptions;
}

/**
 * Closes the agent sessions of gateway processes that are gone (instance ids are per process, so a
 * process that crashed is never restarted under its own id). An instance missing from the registry
 * is closed only if it was missing at the previous sweep too: a Redis restart or a stalled heartbeat
 * empties the registry for a moment, and must close nothing.
 */
export class GoneSessionSweep {
  private readonly listLive: () => Promise<readonly string[]>;
  private readonly devices: Pick<DeviceStore, 'closeSessionsOfGoneInstances'>;
  private readonly logger: Logger;
  private readonly options: GoneSessionSweepOptions;
  private seenAtLastSweep: readonly string[] = [];

  constructor(deps: GoneSessionSweepDeps) {
    this.listLive = deps.listLive;
    this.devices = deps.devices;
    this.logger = deps.logger;
    this.options = deps.options;
  }

  /** One sweep; returns how many sessions it closed. */
  async sweep(): Promise<number> {
    const live = await this.listLive();
    const closed = await this.devices.closeSessionsOfGoneInstances(
      [...new Set([...live, ...this.seenAtLastSweep, this.options.instanceId])],
      this.options.minAgeMs,
      'gateway process gone',
    );
    this.seenAtLastSweep = live;
    if (closed > 0) this.logger.warn({ closed }, 'closed agent sessions left open by gateway processes that are gone');
    return closed;
  }
}
