/** An agent machine known to the gateway (one row per device per branch). */
export interface Device {
  companyId: string;
  branchId: string;
  deviceId: string;
  licenseId: string | null;
  kind: 'v2' | 'legacy';
  hostname: string | null;
  platform: string | null;
  appVersion: string | null;
  protocolVersion: number | null;
  capabilities: string[];
  lastAddress: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

export interface DeviceUpsert {
  companyId: string;
  branchId: string;
  deviceId: string;
  licenseId?: string | null;
  kind?: 'v2' | 'legacy';
  hostname?: string | null;
  platform?: string | null;
  arch?: string | null;
  appVersion?: string | null;
  protocolVersion?: number | null;
  capabilities?: string[];
  lastAddress?: string | null;
}

/** One connection of an agent to a gateway process. */
export interface NewDeviceSession {
  id: string;
  companyId: string;
  branchId: string;
  deviceId: string;
  gatewayInstance: string;
  remoteAddress: string | null;
  protocolVersion: number | null;
  /** The agent's version as its handshake says; carried into the `agent.connected` event, not stored. */
  appVersion?: string | null;
}

/**
 * Devices and their connections. Writes may be gathered for a short while (tens of ms) into
 * one statement; each call still resolves once its row is written.
 */
export interface DeviceStore {
  /** Inserts or updates; fields left undefined keep their stored value. */
  upsert(device: DeviceUpsert): Promise<void>;
  find(branchId: string, deviceId: string): Promise<Device | undefined>;
  list(filter: { companyId?: string; branchId?: string }): Promise<Device[]>;
  /** Records a connection, with its `agent.connected` outbox event in the same statement. */
  openSession(session: NewDeviceSession): Promise<void>;
  /**
   * Records the end of a connection with its `agent.disconnected` event (not when another session
   * of the device is open: the agent is still connected). The same holds for the two sweeps below.
   */
  closeSession(id: string, reason: string): Promise<void>;
  /** Closes sessions a crashed process left open: those of `gatewayInstance`, or all with `undefined` (single process). */
  closeOrphanSessions(gatewayInstance: string | undefined, reason: string): Promise<number>;
  /**
   * Closes open sessions of gateway processes that are gone: those whose instance is not in
   * `liveInstances` and that were opened more than `minAgeMs` ago by the database's clock (a
   * margin for a process that has not announced itself yet). Instance ids are per process
   * (`host-pid`), so a process that crashed is never restarted under its own id and only this
   * sweep closes its sessions. Returns how many it closed.
   */
  closeSessionsOfGoneInstances(liveInstances: readonly string[], minAgeMs: number, reason: string): Promise<number>;
}
