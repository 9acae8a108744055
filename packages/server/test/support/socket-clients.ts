import { io, type Socket } from 'socket.io-client';

export interface AgentIdentity {
  licenseKey: string;
  branchId: string;
  deviceId: string;
  /** v2 agent (protocolVersion 2) or legacy client. Default v2. */
  v2?: boolean;
  capabilities?: string[];
}

/** Connects like an agent (websocket transport only, as real agents do). Resolves once admitted. */
export function connectAgent(url: string, id: AgentIdentity, extra: { reconnection?: boolean } = {}): Promise<Socket> {
  return admitted(agentSocket(url, id, extra));
}

/**
 * An agent socket that is still connecting. Attach handlers before awaiting `admitted`: the
 * gateway sends queued jobs right after the handshake, and an uncompressed message can arrive
 * in the same read as the CONNECT packet, i.e. before a handler attached after `connect` runs.
 */
export function agentSocket(url: string, id: AgentIdentity, extra: { reconnection?: boolean } = {}): Socket {
  const v2 = id.v2 ?? true;
  return io(`${url}/printing-ws`, {
    transports: ['websocket'],
    reconnection: extra.reconnection ?? false,
    auth: {
      userRole: 'desktop_app',
      licenseKey: id.licenseKey,
      branchId: id.branchId,
      deviceId: id.deviceId,
      instanceId: `${id.deviceId}-1`,
      appVersion: v2 ? '2.1.0-test' : '2.0.0',
      ...(v2
        ? {
            protocolVersion: 2,
            capabilities: id.capabilities ?? ['print-jobs', 'printer-test', 'printer-status', 'health-report'],
          }
        : {}),
    },
  });
}

/** Connects like a dashboard with a JWT. */
export function connectWeb(
  url: string,
  token: string,
  transports: ('websocket' | 'polling')[] = ['websocket'],
): Promise<Socket> {
  return admitted(io(`${url}/printing-ws`, { transports, reconnection: false, auth: { token } }));
}

/** Resolves on `connect`, rejects with the `connect_error` (its `data` holds the gateway's code). */
export function admitted(socket: Socket): Promise<Socket> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** The next `event` on `socket`, or a rejection after `timeoutMs`. */
export function nextEvent<T = unknown>(
  socket: Socket,
  event: string,
  timeoutMs = 5_000,
  filter?: (payload: T) => boolean,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, handler);
      reject(new Error(`no "${event}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const handler = (payload: T) => {
      if (filter && !filter(payload)) return;
      clearTimeout(timer);
      socket.off(event, handler);
      resolve(payload);
    };
    socket.on(event, handler);
  });
}

/**
 * A round trip on `socket`: resolves once the gateway has answered an event sent now. The
 * gateway answers any event it does not take from this kind of client with an error ack, and
 * a connection delivers its packets in order, so whatever the gateway sent this socket before
 * it read this event has arrived by then. The barrier for "this socket received nothing": once
 * the work that could have sent something has ended (an ack, an event elsewhere), a round trip
 * shows that it did not. It costs an `error:event` on the socket.
 */
export async function roundTrip(socket: Socket, timeoutMs = 5_000): Promise<void> {
  const answer = (await socket.timeout(timeoutMs).emitWithAck('test:round-trip')) as { ok?: boolean };
  if (answer?.ok !== false) throw new Error(`unexpected answer to a round trip: ${JSON.stringify(answer)}`);
}

/** Collects every `event` payload from now on. */
export function collect<T = unknown>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (p: T) => seen.push(p));
  return seen;
}

/** Polls `check` until it returns a truthy value, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
