import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDeep } from '../support/deep-json.js';
import { rawRequest } from '../support/raw-http.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { envelopeProblem, hostileRequest, type RestTargets } from './hostile-rest.js';
import { emitHostile, handshakeOutcome, hostileAgentEvent, hostileAuth } from './hostile-sockets.js';
import { fuzzParameters, hostileString } from './hostile-values.js';

/** Why a socket acknowledgement breaks the rules (an `INTERNAL`, or no answer), or `undefined`. */
function ackProblem(answer: unknown): string | undefined {
  const a = answer as { ok?: unknown; error?: { code?: unknown } };
  if (a?.ok === true) return undefined;
  if (a?.ok === false && typeof a.error?.code === 'string' && a.error.code !== 'INTERNAL') return undefined;
  return `answered ${JSON.stringify(answer)?.slice(0, 200)}`;
}

/**
 * Property-based hostile input against a running gateway (issue 14, item 6): REST requests,
 * agent events (v2 and legacy), web-client events, handshakes and raw HTTP, biased towards
 * the values that once made it answer 500 or `INTERNAL`. Every answer is a 2xx–4xx, every
 * error has the envelope (or a coded ack), and the process still answers afterwards.
 * Runs and seed: PRINTERMASTER_FUZZ_SCALE (a factor on the runs) and PRINTERMASTER_FUZZ_SEED.
 */
export function describeHostileInput(store: 'pglite' | 'postgres'): void {
  describe(`hostile input (${store})`, () => {
    let gateway: TestGateway;
    let url: string;
    let targets: RestTargets;
    let legacy: Socket;
    const sockets: Socket[] = [];
    const errorEvents: { code?: string; event?: string }[] = [];

    /** An agent of `tenant` that acknowledges jobs and answers printer tests, as a real one does. */
    const agentOf = async (auth: Record<string, unknown>): Promise<Socket> => {
      const socket = await connectDeep(url, auth);
      socket.on('print:job', (job: { id: string }, ack?: (r: unknown) => void) =>
        ack?.({ ok: true, data: { jobId: job.id, state: 'accepted' } }),
      );
      socket.on('printer:test', (req: { printerId: string; correlationId: string }) =>
        socket.emit('printer:test:result', {
          printerId: req.printerId,
          correlationId: req.correlationId,
          success: true,
        }),
      );
      socket.on('error:event', (e: { code?: string; event?: string }) => errorEvents.push(e));
      sockets.push(socket);
      return socket;
    };

    beforeAll(async () => {
      gateway = await startTestGateway({
        store,
        env: { CORS_ORIGINS: 'https://pos.example.com', PRINTERMASTER_WEBHOOK_ALLOW_PRIVATE: 'true' },
      });
      url = gateway.url;
      const tenant = await gateway.seedTenant('Fuzz company');
      const deviceId = `fuzz-${randomUUID()}`;
      const admin = await gateway.token('super_admin');
      const res = await fetch(`${url}/printing/printers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ branchId: tenant.branchId, name: 'Kitchen', ip: '127.0.0.1', port: 9100 }),
      });
      const printerId = ((await res.json()) as { printer: { id: string } }).printer.id;
      const job = await fetch(`${url}/printing/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ printerId, content: 'G0BA' }),
      });
      const jobId = ((await job.json()) as { job: { id: string } }).job.id;
      const scope = { companyId: tenant.companyId, branchId: tenant.branchId };
      const other = await gateway.seedTenant('Fuzz legacy company');
      const adminTenant = await gateway.seedTenant('Fuzz admin company');
      const created = async (path: string, body: unknown, pick: (json: never) => string) => {
        const answer = await fetch(`${url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const json = await answer.json();
        if (answer.status !== 201) throw new Error(`${path}: ${answer.status} ${JSON.stringify(json)}`);
        return pick(json as never);
      };
      const adminScope = { companyId: adminTenant.companyId, branchId: adminTenant.branchId };
      targets = {
        branchId: tenant.branchId,
        printerId,
        jobId,
        licenseKey: tenant.licenseKey,
        deviceId,
        legacy: { branchId: other.branchId, deviceId: `legacy-${randomUUID()}` },
        admin: {
          ...adminScope,
          licenceId: await created(
            '/admin/licences',
            { branchId: adminTenant.branchId },
            (j: { licence: { id: string } }) => j.licence.id,
          ),
          apiKeyId: await created(
            '/admin/api-keys',
            { name: 'Fuzz', role: 'cashier', ...adminScope },
            (j: { apiKey: { id: string } }) => j.apiKey.id,
          ),
          webhookId: await created(
            '/admin/webhooks',
            { companyId: adminTenant.companyId, url: 'http://127.0.0.1:9/pm', events: ['licence.*'] },
            (j: { webhook: { id: string } }) => j.webhook.id,
          ),
        },
        authorizations: [
          `Bearer ${admin}`,
          `Bearer ${await gateway.token('branch_manager', scope)}`,
          `Bearer ${await gateway.token('cashier', scope)}`,
          undefined,
        ],
      };
      await agentOf({
        userRole: 'desktop_app',
        licenseKey: tenant.licenseKey,
        branchId: tenant.branchId,
        deviceId,
        protocolVersion: 2,
      });
      // A legacy client of another company: its live socket is what lets bulk requests write.
      legacy = await agentOf({
        userRole: 'desktop_app',
        licenseKey: other.licenseKey,
        branchId: other.branchId,
        deviceId: targets.legacy.deviceId,
      });
    });

    afterAll(async () => {
      for (const s of sockets) s.close();
      await gateway?.close();
    });

    it('answers every hostile REST request with 2xx–4xx and the error envelope', async () => {
      await fc.assert(
        fc.asyncProperty(hostileRequest(targets), async (req) => {
          const res = await fetch(`${url}${req.path}`, {
            method: req.method,
            headers: req.headers,
            ...(req.body !== undefined ? { body: req.body } : {}),
          });
          const problem = envelopeProblem(res.status, await res.text(), req.method);
          expect(problem, `${req.method} ${req.path.slice(0, 200)}`).toBeUndefined();
        }),
        fuzzParameters(500),
      );
    });

    it('answers every hostile agent event, v2 and legacy, with a coded acknowledgement', async () => {
      const v2 = sockets[0] as Socket;
      await fc.assert(
        fc.asyncProperty(hostileAgentEvent(targets), fc.boolean(), async (event, asLegacy) => {
          const answer = await emitHostile(asLegacy ? legacy : v2, event);
          expect(ackProblem(answer), event.event).toBeUndefined();
        }),
        fuzzParameters(500),
      );
      expect(errorEvents.filter((e) => e.code === 'INTERNAL')).toEqual([]);
    });

    it('refuses every event of a web client with a coded acknowledgement', async () => {
      const web = await connectDeep(url, { token: await gateway.token('super_admin') });
      sockets.push(web);
      await fc.assert(
        fc.asyncProperty(hostileAgentEvent(targets), async (event) => {
          const answer = (await emitHostile(web, event)) as { ok?: boolean; error?: { code?: string } };
          expect(answer).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
        }),
        fuzzParameters(40),
      );
    });

    it('admits or refuses hostile handshakes with a code, never INTERNAL', async () => {
      const valid = [
        {
          userRole: 'desktop_app',
          licenseKey: targets.licenseKey,
          branchId: targets.branchId,
          deviceId: 'hs-1',
          protocolVersion: 2,
        },
        { token: (targets.authorizations[2] as string).slice('Bearer '.length) },
      ];
      await fc.assert(
        fc.asyncProperty(hostileAuth(valid), async (auth) => {
          const outcome = await handshakeOutcome(url, auth);
          const isObject = typeof auth === 'object' && auth !== null && !Array.isArray(auth);
          expect(outcome === 'closed' ? isObject : ['INTERNAL', 'no answer'].includes(outcome), outcome).toBe(false);
          expect(outcome).not.toMatch(/^no reason/);
        }),
        fuzzParameters(40),
      );
    });

    it('answers raw hostile HTTP with the error envelope', async () => {
      const port = Number(new URL(url).port);
      const method = fc.constantFrom('GET', 'POST', 'PUT', 'OPTIONS', 'DELETE', 'TRACE', 'FOO', 'G\u0000T');
      const path = fc.oneof(
        fc.constantFrom('/printing/printers', '/printing/jobs', '/health/live', '/nope', '*'),
        hostileString.map((s) => `/printing/printers/${s.slice(0, 400)}`),
      );
      const header = fc.tuple(
        fc.constantFrom('x-a', 'origin', 'access-control-request-method', 'content-type', 'authorization', 'x\u0000y'),
        fc.oneof(hostileString, fc.constant('x'.repeat(20_000))),
      );
      await fc.assert(
        fc.asyncProperty(method, path, fc.array(header, { maxLength: 3 }), async (m, p, headers) => {
          const answer = await rawRequest(port, m, p, headers);
          if (answer === undefined) return;
          expect(envelopeProblem(answer.status, answer.body, m), `${m} ${p.slice(0, 120)}`).toBeUndefined();
        }),
        fuzzParameters(120),
      );
    });

    it('still answers /health/live after all of it', async () => {
      const res = await fetch(`${url}/health/live`);
      expect(res.status).toBe(200);
    });
  });
}
