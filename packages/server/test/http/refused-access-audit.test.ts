import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { JwtService } from '../../src/auth/jwt-service.js';
import type { AuditLog } from '../../src/core/ports/audit-log.js';
import { installRefusedAccessAudit } from '../../src/http/refused-access-audit.js';
import { FakeClock } from '../support/fake-clock.js';

type Entry = Parameters<AuditLog['record']>[0];

/** The bounds that keep a flood of refused requests from filling the audit table. */
describe('refused access audit', () => {
  async function appWith(options: { maxPerWindow?: number; maxAddresses?: number } = {}) {
    const recorded: Entry[] = [];
    const audit: AuditLog = {
      record: async (entry) => {
        recorded.push(entry);
      },
      list: async () => [],
    };
    const clock = new FakeClock();
    const jwt = { alreadyVerified: () => undefined } as unknown as JwtService;
    const app = Fastify({ trustProxy: true });
    installRefusedAccessAudit(app, { audit, jwt, clock, ...options });
    app.get('/secret', async (_request, reply) => reply.code(401).send({ code: 'AUTH_FAILED' }));
    app.get('/mine', async (_request, reply) => reply.code(403).send({ code: 'FORBIDDEN' }));
    app.get('/open', async () => ({ ok: true }));
    const from = (address: string, url = '/secret') =>
      app.inject({ method: 'GET', url, headers: { 'x-forwarded-for': address } });
    return { app, recorded, clock, from };
  }

  it('records one entry per address and status a minute, and again in the next minute', async () => {
    const { recorded, clock, from } = await appWith();
    for (let i = 0; i < 5; i++) await from('198.51.100.1');
    await from('198.51.100.1', '/mine');
    await from('198.51.100.2');
    await from('198.51.100.2', '/open');
    expect(recorded.map((e) => [e.sourceAddress, e.targetId, e.details])).toEqual([
      ['198.51.100.1', 'GET /secret', { status: 401 }],
      ['198.51.100.1', 'GET /mine', { status: 403 }],
      ['198.51.100.2', 'GET /secret', { status: 401 }],
    ]);
    await clock.advance(60_000);
    await from('198.51.100.1');
    expect(recorded).toHaveLength(4);
  });

  it('caps the entries of a window and the addresses remembered, whatever the number of addresses', async () => {
    const { recorded, clock, from } = await appWith({ maxPerWindow: 10, maxAddresses: 1000 });
    for (let i = 0; i < 50; i++) await from(`203.0.113.${i}`);
    expect(recorded).toHaveLength(10);
    await clock.advance(60_000);
    for (let i = 50; i < 100; i++) await from(`203.0.113.${i}`);
    expect(recorded).toHaveLength(20);

    const few = await appWith({ maxPerWindow: 100, maxAddresses: 3 });
    for (let i = 0; i < 10; i++) await few.from(`192.0.2.${i}`);
    expect(few.recorded.map((e) => e.sourceAddress)).toEqual(['192.0.2.0', '192.0.2.1', '192.0.2.2']);
  });
});
