import { DEFAULT_MEMORY_BOUNDS as D, type MemoryBounds } from '../core/memory-bounds.js';
import type { EnvValues } from './env-setting.js';
import { integer } from './setting-kinds.js';

/**
 * What a process keeps in memory beyond one request, each with its bound (docs/operations.md,
 * "Memory growing"). The defaults are far above what one process serves; a bound reached makes a
 * cache start over or forget its oldest entry, never refuses work, so a lower value costs reads,
 * not correctness.
 */
export const MEMORY_SETTINGS = {
  licenceCacheMax: integer({
    name: 'PRINTERMASTER_LICENCE_CACHE_MAX',
    group: 'memory',
    description:
      'Licences kept in memory for agents’ handshakes (one more starts the cache over; it is read back from the store)',
    default: D.licenceCache,
    min: 1,
    max: 10_000_000,
  }),
  apiKeyCacheMax: integer({
    name: 'PRINTERMASTER_API_KEY_CACHE_MAX',
    group: 'memory',
    description: 'API keys kept in memory after their first use (one more starts the cache over)',
    default: D.apiKeyCache,
    min: 1,
    max: 10_000_000,
  }),
  tenantCacheMax: integer({
    name: 'PRINTERMASTER_TENANT_CACHE_MAX',
    group: 'memory',
    description: 'Branches with their company kept in memory (one more starts the cache over)',
    default: D.tenantCache,
    min: 1,
    max: 10_000_000,
  }),
  printerCacheMax: integer({
    name: 'PRINTERMASTER_PRINTER_CACHE_MAX',
    group: 'memory',
    description: 'Printers kept in memory for job and test routing (the least recently read forgotten first)',
    default: D.printerCache,
    min: 1,
    max: 10_000_000,
  }),
  branchNameCacheMax: integer({
    name: 'PRINTERMASTER_BRANCH_NAME_CACHE_MAX',
    group: 'memory',
    description: 'Branch and company names kept in memory for printer test requests (one more starts the cache over)',
    default: D.branchNameCache,
    min: 1,
    max: 10_000_000,
  }),
  tokenCacheMax: integer({
    name: 'PRINTERMASTER_TOKEN_CACHE_MAX',
    group: 'memory',
    description:
      'Web tokens whose signature was verified, kept so the next request with one skips the check (one more starts over)',
    default: D.tokenCache,
    min: 1,
    max: 10_000_000,
  }),
  revokedSessionsMax: integer({
    name: 'PRINTERMASTER_REVOKED_SESSIONS_MAX',
    group: 'memory',
    description:
      'Revoked web sessions remembered until their tokens expire; past it the oldest are forgotten, and until their tokens could have expired every web token is checked against the store',
    default: D.revokedSessions,
    min: 1,
    max: 10_000_000,
  }),
  agentHealthSamples: integer({
    name: 'PRINTERMASTER_AGENT_HEALTH_SAMPLES',
    group: 'memory',
    description: 'Latency samples kept per connected agent (its history in the health views)',
    default: D.agentHealthSamples,
    min: 1,
    max: 10_000,
  }),
  departedAgentsMax: integer({
    name: 'PRINTERMASTER_DEPARTED_AGENTS_MAX',
    group: 'memory',
    description:
      'Agents that disconnected whose health history and reconnection count are kept, so a link that comes back continues its record (the oldest forgotten first)',
    default: D.departedAgents,
    min: 0,
    max: 1_000_000,
  }),
  departedAgentKeepS: integer({
    name: 'PRINTERMASTER_DEPARTED_AGENT_KEEP_S',
    group: 'memory',
    description: 'How long the record of an agent that disconnected is kept',
    default: D.departedAgentKeepMs / 1000,
    min: 0,
    max: 86_400,
    unit: 's',
  }),
  healthSummaryCacheMax: integer({
    name: 'PRINTERMASTER_HEALTH_SUMMARY_CACHE_MAX',
    group: 'memory',
    description: 'Desktop-health summaries cached per scope (company, branch), each for 60 s',
    default: D.healthSummaryCache,
    min: 1,
    max: 1_000_000,
  }),
  printerStatusMemoryMax: integer({
    name: 'PRINTERMASTER_PRINTER_STATUS_MEMORY_MAX',
    group: 'memory',
    description:
      'Printers whose last status sent to dashboards is remembered, so an unchanged status is not sent again (the least recently changed forgotten first)',
    default: D.printerStatusMemory,
    min: 1,
    max: 10_000_000,
  }),
  legacyTestsMax: integer({
    name: 'PRINTERMASTER_LEGACY_TESTS_MAX',
    group: 'memory',
    description:
      'Legacy printer tests whose late result may still come, each a minute past its deadline (the oldest forgotten first)',
    default: D.legacyTests,
    min: 1,
    max: 1_000_000,
  }),
  finishedExportsKept: integer({
    name: 'PRINTERMASTER_FINISHED_EXPORTS_KEPT',
    group: 'memory',
    description: 'Finished CSV exports listed in `/api/metrics/exports` (running ones are always listed)',
    default: D.finishedExports,
    min: 0,
    max: 10_000,
  }),
  slowQueriesKept: integer({
    name: 'PRINTERMASTER_SLOW_QUERIES_KEPT',
    group: 'memory',
    description: 'Slow statements listed in `/api/metrics/performance` (the latest kept)',
    default: D.slowQueries,
    min: 0,
    max: 10_000,
  }),
  rateLimitKeysMax: integer({
    name: 'PRINTERMASTER_RATE_LIMIT_KEYS_MAX',
    group: 'memory',
    description: 'Blocked keys remembered per rate limiter for `/api/metrics/ratelimit` (one more starts over)',
    default: D.rateLimitKeys,
    min: 1,
    max: 10_000_000,
  }),
  refusedSourcesMax: integer({
    name: 'PRINTERMASTER_REFUSED_SOURCES_MAX',
    group: 'memory',
    description:
      'Refused origins and addresses remembered so each is logged or audited once a minute, not once per attempt (one more starts over)',
    default: D.refusedSources,
    min: 1,
    max: 10_000_000,
  }),
} as const;

export function toMemoryBounds(v: EnvValues<typeof MEMORY_SETTINGS>): MemoryBounds {
  return {
    licenceCache: v.licenceCacheMax,
    apiKeyCache: v.apiKeyCacheMax,
    tenantCache: v.tenantCacheMax,
    printerCache: v.printerCacheMax,
    branchNameCache: v.branchNameCacheMax,
    tokenCache: v.tokenCacheMax,
    revokedSessions: v.revokedSessionsMax,
    agentHealthSamples: v.agentHealthSamples,
    departedAgents: v.departedAgentsMax,
    departedAgentKeepMs: v.departedAgentKeepS * 1000,
    healthSummaryCache: v.healthSummaryCacheMax,
    printerStatusMemory: v.printerStatusMemoryMax,
    legacyTests: v.legacyTestsMax,
    finishedExports: v.finishedExportsKept,
    slowQueries: v.slowQueriesKept,
    rateLimitKeys: v.rateLimitKeysMax,
    refusedSources: v.refusedSourcesMax,
  };
}
