import { isoTime } from '@printermaster/protocol';
import type { FastifyInstance } from 'fastify';
import type { HealthChecks } from '../../health/health-checks.js';

/**
 * Health endpoints as the runbooks call them. `curl -f` fails exactly when the
 * probe fails: 503 for a down store (`/api/health`, `/health`) and for not
 * ready (`/health/ready`).
 */
/** The words of runbook 001 for `/health`'s status; `/api/health` keeps the protocol's (ok/degraded/down). */
const RUNBOOK_STATUS = { ok: 'healthy', degraded: 'degraded', down: 'unhealthy' } as const;

export async function healthRoutes(app: FastifyInstance, opts: { checks: HealthChecks }): Promise<void> {
  const { checks } = opts;
  const tags = ['health'];

  app.get('/api/health', { schema: { tags } }, async (_request, reply) => {
    const r = await checks.report();
    return reply.status(r.status === 'down' ? 503 : 200).send({
      status: r.status,
      timestamp: r.timestamp,
      uptime: r.uptime,
      database: r.database,
      websocket: r.websocket,
    });
  });

  app.get('/health', { schema: { tags } }, async (_request, reply) => {
    const r = await checks.report();
    return reply.status(r.status === 'down' ? 503 : 200).send({
      status: RUNBOOK_STATUS[r.status],
      timestamp: r.timestamp,
      version: checks.version,
      uptime: r.uptime,
      database: r.database,
      websocket: r.websocket,
      checks: r.checks,
    });
  });

  for (const prefix of ['', '/api']) {
    app.get(`${prefix}/health/live`, { schema: { tags } }, async () => ({
      status: 'ok',
      timestamp: isoTime(Date.now()),
      uptime: Math.round(process.uptime()),
    }));
    app.get(`${prefix}/health/ready`, { schema: { tags } }, async (_request, reply) => {
      const r = await checks.report();
      return reply.status(r.ready ? 200 : 503).send({
        status: r.ready ? 'ready' : 'not_ready',
        ...(r.reason ? { reason: r.reason } : {}),
        timestamp: r.timestamp,
        checks: Object.fromEntries(
          Object.entries(r.checks).filter(([k]) => k === 'database' || k === 'redis' || k === 'websocket'),
        ),
      });
    });
  }

  app.get('/api/health/detailed', { schema: { tags } }, async (_request, reply) => {
    const r = await checks.report();
    const mem = process.memoryUsage();
    const pool = checks.databasePool();
    return reply.status(r.status === 'down' ? 503 : 200).send({
      status: r.status,
      ready: r.ready,
      ...(r.reason ? { reason: r.reason } : {}),
      timestamp: r.timestamp,
      version: checks.version,
      uptime: r.uptime,
      checks: r.checks,
      memory: {
        heapUsedBytes: mem.heapUsed,
        heapTotalBytes: mem.heapTotal,
        rssBytes: mem.rss,
        externalBytes: mem.external,
      },
      eventLoop: checks.eventLoopLag(),
      connections: checks.connections(),
      pendingRequests: checks.pendingRequests(),
      // PostgreSQL only: {total, idle, waiting, max}, as the pool warning in the log reports it.
      ...(pool ? { databasePool: pool } : {}),
      node: process.version,
      pid: process.pid,
    });
  });
}
