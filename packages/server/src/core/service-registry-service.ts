import { isoTime } from '@printermaster/protocol';
import type { Clock } from './clock.js';
import type { AgentDirectory } from './ports/agent-directory.js';
import type { InstanceRegistry } from './ports/instance-registry.js';
import { requireRole, type UserPrincipal } from './principal.js';

export interface RegisteredService {
  id: string;
  name: string;
  type: 'gateway' | 'desktop_agent';
  host: string;
  port: number | null;
  version: string;
  isHealthy: boolean;
  lastSeen: string;
  connectionCount: number;
  requestCount: number;
}

export interface ServiceRegistryServiceDeps {
  instances: InstanceRegistry;
  directory: AgentDirectory;
  clock: Clock;
}

/** `GET /printing/service-registry/status`: gateway processes and agents (super admins). */
export class ServiceRegistryService {
  private readonly instances: InstanceRegistry;
  private readonly directory: AgentDirectory;
  private readonly clock: Clock;
  constructor(deps: ServiceRegistryServiceDeps) {
    this.instances = deps.instances;
    this.directory = deps.directory;
    this.clock = deps.clock;
  }

  async status(user: UserPrincipal) {
    requireRole(user, ['super_admin']);
    const [gateways, agents] = await Promise.all([this.instances.list(), this.directory.list()]);
    const services: RegisteredService[] = [
      ...gateways.map((g) => ({
        id: g.id,
        name: `gateway ${g.id}`,
        type: 'gateway' as const,
        host: g.host,
        port: g.port,
        version: g.version,
        isHealthy: g.ready && this.clock.now() - g.lastSeen < 30_000,
        lastSeen: isoTime(g.lastSeen),
        connectionCount: g.connectionCount,
        requestCount: g.requestCount,
      })),
      ...agents.map((a) => ({
        id: a.deviceId,
        name: `agent ${a.deviceId} (branch ${a.branchId})`,
        type: 'desktop_agent' as const,
        host: a.address,
        port: null,
        version: a.appVersion ?? (a.protocol === 'v2' ? '2' : 'legacy'),
        isHealthy: a.health.connectionQuality !== 'poor',
        lastSeen: a.health.lastHeartbeat ?? isoTime(a.connectedAt),
        connectionCount: 1,
        requestCount: 0,
      })),
    ];
    const healthy = services.filter((s) => s.isHealthy).length;
    const servicesByType: Record<string, number> = {};
    for (const s of services) servicesByType[s.type] = (servicesByType[s.type] ?? 0) + 1;
    return {
      stats: {
        totalServices: services.length,
        healthyServices: healthy,
        unhealthyServices: services.length - healthy,
        servicesByType,
        averageConnectionCount:
          services.length === 0
            ? 0
            : Math.round((services.reduce((a, s) => a + s.connectionCount, 0) / services.length) * 10) / 10,
        totalRequests: services.reduce((a, s) => a + s.requestCount, 0),
      },
      services,
    };
  }
}
