/** An agent asking for its group's lease: the device, and the gateway process it is connected to. */
export interface LeaseClaim {
  companyId: string;
  branchId: string;
  /** The standby group the agent was started with (`--standby-group`). */
  group: string;
  deviceId: string;
  instanceId: string;
}

/** A branch's standby group, as leases are keyed. */
export interface LeaseKey {
  branchId: string;
  group: string;
}

/**
 * The lease that makes one agent of a branch's standby group the active one (agent-leases.ts).
 * Expiry is the database's clock, so processes on different machines agree on it.
 */
export interface AgentLeaseStore {
  /**
   * Takes the group's lease for the claim's device if it is free, expired or its own already
   * (then it is extended by `ttlMs`). Returns the holder afterwards, and, when the lease was taken
   * from another device, that device (the takeover is written as an `agent.switched` event in the
   * same transaction).
   */
  claim(claim: LeaseClaim, ttlMs: number): Promise<{ holder: string; takenFrom: string | null }>;
  /** Extends the leases these claims hold now, in one statement; a lease held by another is left alone. */
  renew(claims: readonly LeaseClaim[], ttlMs: number): Promise<void>;
  /**
   * Ends the device's lease at once (it disconnected), if this process (`instanceId`) holds it for
   * it: a device that reconnected to another process meanwhile keeps its lease.
   */
  release(key: LeaseKey, deviceId: string, instanceId: string): Promise<void>;
  /** The devices holding a live lease of these groups, by `leaseKeyOf`. */
  holders(keys: readonly LeaseKey[]): Promise<Map<string, string>>;
}

/** A lease key as one string, for maps. */
export function leaseKeyOf(key: LeaseKey): string {
  return `${key.branchId}\u0000${key.group}`;
}
