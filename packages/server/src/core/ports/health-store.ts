import type { ConnectionQuality } from '@printermaster/protocol';

export interface HealthSample {
  companyId: string;
  branchId: string;
  deviceId: string;
  /** ms */
  averageLatency: number | null;
  /** 0–1 */
  packetLossRate: number | null;
  connectionQuality: ConnectionQuality | null;
  report: Record<string, unknown>;
  createdAt: Date;
}

/** Health reports of agents, the last `keep` per device. */
export interface HealthStore {
  /** Appends and prunes the device's history to the newest `keep`. */
  append(sample: Omit<HealthSample, 'createdAt'>, keep: number): Promise<void>;
  /** Newest first. */
  history(branchId: string, deviceId: string, limit: number): Promise<HealthSample[]>;
}
