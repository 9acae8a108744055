import type { FastifyInstance } from 'fastify';

export interface HealthProbe {
  /** Round-trip ms to the store; throws when it is unreachable. */
  pingDatabase(): Promise<number>;
  /** Whether the Socket.IO namespace is accepting connections. */
  isWebsocketActive(): boolean;
  /** Process start, Unix ms. */
  startedAt: number;
}

/** `GET /api/health` (PROTOCOL.md / runbooks). 503 when the store is unreachable, so `curl -f` fails. */
export async function healthRoutes(app: FastifyInstance, opts: { probe: HealthProbe }): Promise<void> {
  app.get('/api/health', { schema: { tags: ['health'] } }, async (_request, reply) => {
    let database: 'connected' | 'disconnected' = 'connected';
    try {
      await opts.probe.pingDatabase();
    } catch {
      database = 'disconnected';
    }
    const websocket = opts.probe.isWebsocketActive() ? 'active' : 'inactive';
    const status = database === 'disconnected' ? 'down' : websocket === 'active' ? 'ok' : 'degraded';
    return reply.status(status === 'down' ? 503 : 200).send({
      status,
      timestamp: new Date().toISOString(),
      uptime: Math.round((Date.now() - opts.probe.startedAt) / 1000),
      database,
      websocket,
    });
  });
}
