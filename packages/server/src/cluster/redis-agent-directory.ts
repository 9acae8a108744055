import type { Redis } from 'ioredis';
import type { AgentDirectory, AgentRecord } from '../core/ports/agent-directory.js';

interface Stored {
  record: AgentRecord;
  /** Unix ms. */
  expiresAt: number;
}

// Deletes the field only while it still names the instance that asks.
const REMOVE_IF_OWNER = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v and cjson.decode(v).record.instanceId == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0`;

/**
 * Lets a branch hash live at least ARGV[1] ms more, never less: a record put with a short TTL
 * beside others with long ones must not make the whole branch expire with it.
 */
const EXTEND_EXPIRY = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl >= tonumber(ARGV[1]) then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[1])`;

/**
 * The agent directory in Redis: one hash per branch (device → record with its
 * expiry) and a set of branches. Expired fields are skipped on read and swept
 * on refresh; a branch hash left alone expires as a whole.
 */
export class RedisAgentDirectory implements AgentDirectory {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  private branchKey(branchId: string): string {
    return `${this.keyPrefix}agents:b:${branchId}`;
  }

  private get branchesKey(): string {
    return `${this.keyPrefix}agents:branches`;
  }

  async put(record: AgentRecord, ttlMs: number): Promise<void> {
    await this.putMany([record], ttlMs);
  }

  async putMany(records: AgentRecord[], ttlMs: number): Promise<void> {
    if (records.length === 0) return;
    const expiresAt = this.now() + ttlMs;
    const pipeline = this.redis.pipeline();
    for (const record of records) {
      const key = this.branchKey(record.branchId);
      pipeline.hset(key, record.deviceId, JSON.stringify({ record, expiresAt } satisfies Stored));
      pipeline.eval(EXTEND_EXPIRY, 1, key, ttlMs * 2);
      pipeline.sadd(this.branchesKey, record.branchId);
    }
    await pipeline.exec();
  }

  async remove(branchId: string, deviceId: string, instanceId: string): Promise<void> {
    await this.redis.eval(REMOVE_IF_OWNER, 1, this.branchKey(branchId), deviceId, instanceId);
  }

  async inBranch(branchId: string): Promise<AgentRecord[]> {
    return this.live(branchId, await this.redis.hgetall(this.branchKey(branchId)));
  }

  async find(branchId: string, deviceId: string): Promise<AgentRecord | undefined> {
    const raw = await this.redis.hget(this.branchKey(branchId), deviceId);
    return raw ? this.live(branchId, { [deviceId]: raw })[0] : undefined;
  }

  async list(filter: { companyId?: string; branchId?: string } = {}): Promise<AgentRecord[]> {
    if (filter.branchId) {
      return (await this.inBranch(filter.branchId)).filter(
        (r) => !filter.companyId || r.companyId === filter.companyId,
      );
    }
    const branches = await this.redis.smembers(this.branchesKey);
    if (branches.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const b of branches) pipeline.hgetall(this.branchKey(b));
    const results = (await pipeline.exec()) ?? [];
    const out: AgentRecord[] = [];
    const empty: string[] = [];
    results.forEach(([err, value], i) => {
      if (err) return;
      const hash = value as Record<string, string>;
      if (Object.keys(hash).length === 0) empty.push(branches[i] as string);
      out.push(...this.live(branches[i] as string, hash));
    });
    if (empty.length > 0) await this.redis.srem(this.branchesKey, ...empty);
    return out.filter((r) => !filter.companyId || r.companyId === filter.companyId);
  }

  private live(branchId: string, hash: Record<string, string>): AgentRecord[] {
    const now = this.now();
    const out: AgentRecord[] = [];
    const expired: string[] = [];
    for (const [deviceId, raw] of Object.entries(hash)) {
      try {
        const stored = JSON.parse(raw) as Stored;
        if (stored.expiresAt > now) out.push(stored.record);
        else expired.push(deviceId);
      } catch {
        expired.push(deviceId);
      }
    }
    if (expired.length > 0) void this.redis.hdel(this.branchKey(branchId), ...expired).catch(() => {});
    return out;
  }
}
