// A closed-loop HTTP load generator (the role autocannon plays): `connections`
// keep-alive connections, each sending the next request as soon as the last
// answer is read. Latency of every request after the warm-up is kept.
import { Agent, request } from 'node:http';
import { serveCommands } from '../lib/ipc.mjs';
import { Samples, summarize } from '../lib/stats.mjs';

/**
 * @param {{url: string, method?: string, path: string, headers?: Record<string,string>,
 *          body?: string, connections: number, durationMs: number, warmupMs?: number,
 *          timeoutMs?: number}} o
 */
async function runLoad(o) {
  const target = new URL(o.url);
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections, maxFreeSockets: o.connections });
  const body = o.body === undefined ? undefined : Buffer.from(o.body);
  const headers = {
    ...(o.headers ?? {}),
    ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}),
  };
  const latencies = new Samples();
  const statuses = {};
  let errors = 0;
  let measured = 0;
  const start = performance.now();
  const measureFrom = start + (o.warmupMs ?? 1000);
  const stopAt = measureFrom + o.durationMs;

  const once = () =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          method: o.method ?? 'POST',
          path: o.path,
          headers,
          agent,
          timeout: o.timeoutMs ?? 30_000,
        },
        (res) => {
          res.on('data', () => {});
          res.on('end', () => {
            const t1 = performance.now();
            if (t0 >= measureFrom && t1 <= stopAt) {
              measured++;
              statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
              if (res.statusCode >= 200 && res.statusCode < 300) latencies.push(t1 - t0);
              else errors++;
            }
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        if (t0 >= measureFrom) errors++;
        resolve();
      });
      if (body) req.end(body);
      else req.end();
    });

  const worker = async () => {
    while (performance.now() < stopAt) await once();
  };
  await Promise.all(Array.from({ length: o.connections }, worker));
  agent.destroy();
  const seconds = o.durationMs / 1000;
  const ok = latencies.length;
  return {
    connections: o.connections,
    durationS: seconds,
    requests: measured,
    ok,
    errors,
    statuses,
    rps: Math.round((ok / seconds) * 10) / 10,
    latencyMs: summarize(latencies.values()),
  };
}

serveCommands({ run: runLoad });
