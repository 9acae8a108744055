import type { AgentDirectory, AgentRecord } from '../core/ports/agent-directory.js';

/** The agent directory of a single gateway process. */
export class MemoryAgentDirectory implements AgentDirectory {
  private readonly entries = new Map<string, { record: AgentRecord; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async put(record: AgentRecord, ttlMs: number): Promise<void> {
    this.entries.set(key(record.branchId, record.deviceId), { record, expiresAt: this.now() + ttlMs });
  }

  async putMany(records: AgentRecord[], ttlMs: number): Promise<void> {
    for (const r of records) await this.put(r, ttlMs);
  }

  async remove(branchId: string, deviceId: string, instanceId: string): Promise<void> {
    const k = key(branchId, deviceId);
    if (this.entries.get(k)?.record.instanceId === instanceId) this.entries.delete(k);
  }

  async inBranch(branchId: string): Promise<AgentRecord[]> {
    return this.live().filter((r) => r.branchId === branchId);
  }

  async find(branchId: string, deviceId: string): Promise<AgentRecord | undefined> {
    const e = this.entries.get(key(branchId, deviceId));
    return e && e.expiresAt > this.now() ? e.record : undefined;
  }

  async list(filter: { companyId?: string; branchId?: string } = {}): Promise<AgentRecord[]> {
    return this.live().filter(
      (r) =>
        (!filter.companyId || r.companyId === filter.companyId) && (!filter.branchId || r.branchId === filter.branchId),
    );
  }

  private live(): AgentRecord[] {
    const now = this.now();
    const out: AgentRecord[] = [];
    for (const [k, e] of this.entries) {
      if (e.expiresAt <= now) this.entries.delete(k);
      else out.push(e.record);
    }
    return out;
  }
}

function key(branchId: string, deviceId: string): string {
  return `${branchId}\u0000${deviceId}`;
}
