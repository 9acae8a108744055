import { isoTime } from '@printermaster/protocol';
import type { FastifyInstance } from 'fastify';
import type { GatewayMetrics } from '../../metrics/gateway-metrics.js';

/**
 * Prometheus text at the paths the runbooks scrape. Unauthenticated like every
 * Prometheus target: restrict it at the proxy (deploy/nginx does).
 */
export async function metricsRoutes(
  app: FastifyInstance,
  opts: {
    metrics: GatewayMetrics;
    websocket: () => { agents: number; webClients: number; uniqueUsers: number; byProtocol: Record<string, number> };
  },
): Promise<void> {
  for (const path of ['/metrics', '/metrics/prometheus', '/api/metrics']) {
    app.get(path, { schema: { tags: ['metrics'], hide: path !== '/metrics' } }, async (_request, reply) => {
      return reply.header('content-type', opts.metrics.contentType).send(await opts.metrics.text());
    });
  }
  // A JSON view for `curl … | jq` in runbooks.
  app.get('/api/metrics/websocket', { schema: { tags: ['metrics'] } }, async () => {
    const c = opts.websocket();
    return {
      timestamp: isoTime(Date.now()),
      connections: c.agents + c.webClients,
      agents: c.agents,
      agentsByProtocol: c.byProtocol,
      webClients: c.webClients,
      uniqueUsers: c.uniqueUsers,
    };
  });
}
