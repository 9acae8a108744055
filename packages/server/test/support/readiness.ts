import { createServer } from 'node:net';

/**
 * Longest wait for a gateway process to become ready, ms. Opening a fresh embedded store
 * (PGlite's initdb) takes seconds on a quiet machine and 14–33 s on one at load 10.
 */
export const READY_TIMEOUT_MS = 180_000;

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, for a child process to listen on, so that
 * its readiness can be asked over HTTP rather than read from its log. Another process could take
 * it meanwhile (the child then fails to start with EADDRINUSE, which the readiness wait reports).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Resolves once `url` answers 200 (a gateway's `/health/ready`, a control server's `/status`),
 * polling every 100 ms; rejects when `exited` settles first (the process died: its output says
 * why) or after `timeoutMs`. Answers other than 200 (a starting gateway's 503) and refused
 * connections mean "not yet".
 */
export async function waitUntilReady(
  url: string,
  options: { exited?: Promise<unknown>; timeoutMs?: number; what?: string } = {},
): Promise<void> {
  const { exited, timeoutMs = READY_TIMEOUT_MS, what = url } = options;
  let gone: unknown;
  let hasExited = false;
  void exited?.then((code) => {
    hasExited = true;
    gone = code;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (hasExited) throw new Error(`${what}: the process exited (${String(gone)}) before it was ready`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet, or too busy to answer within 5 s
    }
    if (Date.now() > deadline) throw new Error(`${what}: not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
