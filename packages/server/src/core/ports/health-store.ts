import type { ConnectionQuality } from '@printermaster/protocol';
import type { OutboxEvent } from './outbox-event.js';

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
  /**
   * Appends and prunes the device's history to the newest `keep`. `alertOf` says which alert event
   * a report raises, if any; the new report's event is written to the outbox in the same transaction
   * unless the device's previous report raised the same alert (an alert is written once per episode,
   * not once per report).
   */
  append(
    sample: Omit<HealthSample, 'createdAt'>,
    keep: number,
    alertOf?: (sample: Omit<HealthSample, 'createdAt'>) => OutboxEvent | undefined,
  ): Promise<void>;
  /** Newest first. */
  history(branchId: string, deviceId: string, limit: number): Promise<HealthSample[]>;
}
