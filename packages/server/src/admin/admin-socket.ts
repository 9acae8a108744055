import { chmodSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { GatewayError } from '../core/gateway-error.js';
import type { Logger } from '../core/ports/logger.js';
import type { AdminCommands, AdminRequest } from './admin-commands.js';

/** Path of the admin socket of an embedded data directory. */
export function adminSocketPath(dataDir: string): string {
  return join(dataDir, 'admin.sock');
}

/**
 * A local socket on which the running gateway takes `printermaster admin`
 * commands, one JSON line per request. Only the owner of the data directory
 * can reach it (mode 0600): that is the authentication.
 */
export async function listenAdminSocket(
  path: string,
  commands: AdminCommands,
  logger: Logger,
  /**
   * Asked by `handover`, the request of a successor started by the process manager to take over
   * the data directory (decision 0010): answers why not, or `undefined` once it has agreed (it
   * then lets go after the answer is sent). Asked with `prepare` by `handover-prepare`, which the
   * successor sends first, while it still gets ready. Without it, both commands are unknown.
   */
  onHandover?: (args: Record<string, unknown>, step: HandoverStep) => string | undefined,
): Promise<Server> {
  rmSync(path, { force: true });
  const server = createServer((conn) => {
    let buffer = '';
    conn.setEncoding('utf8');
    conn.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > 65_536) conn.destroy();
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      const line = buffer.slice(0, newline);
      buffer = '';
      void (async () => {
        try {
          const req = JSON.parse(line) as AdminRequest;
          const step = handoverSteps.get(req.command);
          if (step && onHandover) {
            const refusal = onHandover(req.args ?? {}, step);
            if (refusal) {
              logger.warn({ refusal }, 'a new gateway process asked for the data directory; refused');
              conn.end(
                `${JSON.stringify({ ok: false, error: new GatewayError('CONFLICT', { message: refusal }).toWire() })}\n`,
              );
              return;
            }
            if (step === 'take')
              logger.info({ pid: process.pid }, 'a new gateway process asked for the data directory; handing it over');
            else logger.info({ pid: process.pid }, 'a new gateway process is getting ready to take the data directory');
            conn.end(`${JSON.stringify({ ok: true, data: { pid: process.pid } })}\n`);
            return;
          }
          const result = await commands.run({ command: String(req.command), args: req.args ?? {} });
          logger.info({ command: req.command }, 'admin command run');
          conn.end(`${JSON.stringify({ ok: true, data: result })}\n`);
        } catch (err) {
          const e = err instanceof SyntaxError ? new GatewayError('BAD_REQUEST') : GatewayError.from(err);
          if (e.code === 'INTERNAL') logger.error({ err }, 'admin command failed');
          conn.end(`${JSON.stringify({ ok: false, error: e.toWire() })}\n`);
        }
      })();
    });
    conn.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return server;
}

/** The admin-socket command by which a successor asks the running gateway to let go of the store. */
export const HANDOVER_COMMAND = 'handover';
/**
 * Sent by a successor before `handover`, while it still gets ready: the running gateway closes each
 * connection after its next answer, so that keep-alive clients have moved on by the time it stops
 * listening, and its stop need not wait for them (decision 0010).
 */
export const HANDOVER_PREPARE_COMMAND = 'handover-prepare';

/** `prepare` (handover-prepare) or `take` (handover). */
export type HandoverStep = 'prepare' | 'take';
const handoverSteps = new Map<unknown, HandoverStep>([
  [HANDOVER_PREPARE_COMMAND, 'prepare'],
  [HANDOVER_COMMAND, 'take'],
]);

/** Sends one command to a running gateway's admin socket. */
export function sendAdminCommand(path: string, req: AdminRequest, timeoutMs = 15_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(path);
    let buffer = '';
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new Error('the gateway did not answer the admin command in time'));
    }, timeoutMs);
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(`${JSON.stringify(req)}\n`));
    conn.on('data', (chunk: string) => {
      buffer += chunk;
    });
    conn.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    conn.on('end', () => {
      clearTimeout(timer);
      try {
        const res = JSON.parse(buffer) as { ok: boolean; data?: unknown; error?: { code: string; message: string } };
        if (res.ok) resolve(res.data);
        else
          reject(
            new GatewayError((res.error?.code ?? 'INTERNAL') as GatewayError['code'], { message: res.error?.message }),
          );
      } catch {
        reject(new Error('the gateway answered the admin command with something unreadable'));
      }
    });
  });
}
