/**
 * The bound of everything a process keeps in memory beyond one request, in entries unless said
 * otherwise. A bound reached makes a cache start over or forget its oldest entry; none refuses
 * work, so a lower bound costs store reads, never correctness. Set from the environment
 * (config/memory-settings.ts); docs/operations.md, "Memory growing", lists them.
 */
export interface MemoryBounds {
  /** Licences by key hash, for agents' handshakes. */
  licenceCache: number;
  /** API keys by hash, after their first use. */
  apiKeyCache: number;
  /** Branches with their company. */
  tenantCache: number;
  /** Printers by id, for job and test routing. */
  printerCache: number;
  /** Branch and company names for logs and views. */
  branchNameCache: number;
  /** Web tokens whose signature was verified. */
  tokenCache: number;
  /** Revoked sessions remembered until their tokens expire; past it the store is asked (fail closed). */
  revokedSessions: number;
  /** Latency samples per connected agent. */
  agentHealthSamples: number;
  /** Agents that left whose health record is kept for their return; 0: none. */
  departedAgents: number;
  /** How long the record of an agent that left is kept, ms. */
  departedAgentKeepMs: number;
  /** Desktop-health summaries, one per scope. */
  healthSummaryCache: number;
  /** Printers whose last status sent to dashboards is remembered. */
  printerStatusMemory: number;
  /** Legacy printer tests whose late result may still come. */
  legacyTests: number;
  /** Finished exports listed beside the running ones. */
  finishedExports: number;
  /** Slow statements listed. */
  slowQueries: number;
  /** Blocked keys remembered per rate limiter. */
  rateLimitKeys: number;
  /** Refused origins and source addresses remembered, so each is logged once a minute. */
  refusedSources: number;
}

/** The defaults: far above what one process serves (the benchmarks run 10,000 agents on one). */
export const DEFAULT_MEMORY_BOUNDS: Readonly<MemoryBounds> = {
  licenceCache: 100_000,
  apiKeyCache: 50_000,
  tenantCache: 50_000,
  printerCache: 50_000,
  branchNameCache: 10_000,
  tokenCache: 10_000,
  revokedSessions: 100_000,
  agentHealthSamples: 100,
  departedAgents: 1_000,
  departedAgentKeepMs: 15 * 60_000,
  healthSummaryCache: 1_000,
  printerStatusMemory: 50_000,
  legacyTests: 10_000,
  finishedExports: 50,
  slowQueries: 100,
  rateLimitKeys: 10_000,
  refusedSources: 10_000,
};
