import { parseArgs } from 'node:util';
import { PRINTING_NAMESPACE } from '@printermaster/protocol';
import { io as connect, type Socket } from 'socket.io-client';
import { defaultCheckPort, NoCheckTokenError, resolveCheckToken } from './check-token.js';
import type { CheckIo } from './health-command.js';
import { describeError, elapsedMs, type Target, targetUrl } from './target-url.js';

export const WEBSOCKET_CHECK_USAGE = `Usage: printermaster health websocket [--target URL] [--token TOKEN] [options]

Opens a Socket.IO connection to /printing-ws as a web client (WebSocket transport, as
agents use), then sends \`subscribe\` and times its acknowledgement, --count times.
Prints the handshake and round-trip times; exits 1 with the reason when the handshake
is refused or an answer does not come.

Options:
  --target URL    the gateway (default http://localhost:$PORT, 3001 without PORT); a bare host[:port]
                  means http://host[:port]
  --token TOKEN   a JWT or API key (pm_…). Default: the PRINTERMASTER_TOKEN variable;
                  without it, on the gateway's host, a super_admin token minted here for
                  10 minutes, as \`printermaster admin token --role super_admin\` mints one
                  (the gateway's configuration: its PRINTERMASTER_DATA_DIR, or DATABASE_URL
                  and JWT_SECRET)
  --branch ID     the branch to subscribe to; its refusal fails the check (default: the
                  token's branchId claim; without one any answer, FORBIDDEN included,
                  counts as a round trip)
  --count N       round trips (default 5)
  --timeout MS    deadline of the handshake and of each answer (default 10000)
`;

/** `printermaster health websocket`: what `npm run test:websocket` runs. */
export async function websocketCheckCommand(argv: string[], io: CheckIo): Promise<number> {
  let values: { target?: string; token?: string; branch?: string; count?: string; timeout?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        target: { type: 'string' },
        token: { type: 'string' },
        branch: { type: 'string' },
        count: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    io.err(`printermaster health websocket: ${(e as Error).message}\n\n${WEBSOCKET_CHECK_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(WEBSOCKET_CHECK_USAGE);
    return 0;
  }
  const count = Number(values.count ?? 5);
  const timeoutMs = Number(values.timeout ?? 10_000);
  let target: Target;
  try {
    target = targetUrl(values.target, defaultCheckPort());
  } catch (e) {
    io.err(`websocket FAILED: ${(e as Error).message}\n`);
    return 2;
  }
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(timeoutMs) || timeoutMs < 1) {
    io.err('websocket FAILED: --count and --timeout take positive whole numbers\n');
    return 2;
  }
  let token: string;
  try {
    ({ token } = await resolveCheckToken(values.token, target));
  } catch (err) {
    if (!(err instanceof NoCheckTokenError)) throw err;
    io.err(`websocket FAILED: ${err.message}\n`);
    return 2;
  }
  const branchId = values.branch ?? branchClaim(token);
  const where = `${target.href}${PRINTING_NAMESPACE}`;
  const startedAt = performance.now();
  const socket = connect(`${target.origin}${PRINTING_NAMESPACE}`, {
    path: `${target.pathPrefix}/socket.io/`,
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    timeout: timeoutMs,
    forceNew: true,
  });
  try {
    await handshake(socket);
    const handshakeMs = elapsedMs(startedAt);
    const roundTrips: number[] = [];
    let answer = '';
    for (let i = 0; i < count; i++) {
      const sentAt = performance.now();
      const reply = (await socket
        .timeout(timeoutMs)
        .emitWithAck('subscribe', { branchId: branchId ?? 'printermaster-websocket-check' })) as {
        ok: boolean;
        error?: { code: string; message: string };
      };
      roundTrips.push(elapsedMs(sentAt));
      if (!reply.ok && values.branch !== undefined) {
        throw new Error(`subscribe to branch ${values.branch} refused: ${reply.error?.code}: ${reply.error?.message}`);
      }
      answer = reply.ok ? 'subscribed' : `answered ${reply.error?.code ?? 'an error'}`;
    }
    const avg = Math.round((roundTrips.reduce((a, b) => a + b, 0) / roundTrips.length) * 10) / 10;
    io.out(
      `websocket ok: ${where} via ${socket.io.engine.transport.name}, handshake ${handshakeMs} ms, ${count} round trips min/avg/max ${Math.min(...roundTrips)}/${avg}/${Math.max(...roundTrips)} ms (subscribe ${answer})\n`,
    );
    return 0;
  } catch (err) {
    io.err(`websocket FAILED: ${where}: ${describeError(err)}\n`);
    return 1;
  } finally {
    socket.disconnect();
  }
}

/** Resolves on `connect`; rejects with the gateway's refusal (`reason`, message) or the transport error. */
function handshake(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    type ConnectError = Error & { data?: { reason?: string; message?: string }; description?: { message?: string } };
    socket.once('connect_error', (err: ConnectError) => {
      // A refusal carries the gateway's reason in `data`; a transport error only says "websocket
      // error", with the socket's own error (ECONNREFUSED, 404 of a proxy) in `description`.
      const transportError = typeof err.description?.message === 'string' ? `: ${err.description.message}` : '';
      reject(
        err.data?.reason
          ? new Error(`handshake refused: ${err.data.reason}: ${err.data.message ?? err.message}`)
          : new Error(`handshake failed: ${describeError(err)}${transportError}`),
      );
    });
  });
}

/** The `branchId` claim of a JWT, read without checking it (the gateway checks it); none for API keys. */
function branchClaim(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { branchId?: unknown };
    return typeof claims.branchId === 'string' ? claims.branchId : undefined;
  } catch {
    return undefined;
  }
}
