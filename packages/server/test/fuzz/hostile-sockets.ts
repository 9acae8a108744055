import { AGENT_EVENT_SCHEMAS } from '@printermaster/protocol';
import fc from 'fast-check';
import { io, type Socket } from 'socket.io-client';
import { DEEP_MARKER, deepParser } from '../support/deep-json.js';
import { hostileJson, hostileString, payloadFor } from './hostile-values.js';

/**
 * The handshake's outcome: `'admitted'`, the refusal code (`connect_error` data.reason), or
 * `'closed'` when Socket.IO itself dropped the connection (an `auth` that is not an object is
 * a malformed CONNECT packet to it), or `'no answer'` after 5 s.
 */
export function handshakeOutcome(url: string, auth: unknown): Promise<string> {
  const socket = io(`${url}/printing-ws`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: auth as Record<string, unknown>,
    parser: deepParser,
  });
  return new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve('no answer'), 5_000);
    let settled = false;
    const done = (outcome: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    socket.once('connect', () => done('admitted'));
    socket.once('connect_error', (err) => {
      const data = (err as { data?: { reason?: unknown } }).data;
      done(typeof data?.reason === 'string' ? data.reason : `no reason: ${String(err)}`);
    });
    // A refusal's CONNECT_ERROR and the close can come in one read: the refusal, if any, wins.
    socket.io.once('close', () => setImmediate(() => done('closed')));
  }).finally(() => socket.close());
}

/** Valid payloads of every agent event, the starting points of the mutations. */
function validPayloads(t: {
  branchId: string;
  printerId: string;
  jobId: string;
}): Record<string, Record<string, unknown>> {
  const now = new Date().toISOString();
  const health = {
    uptime: 10,
    reconnectionCount: 0,
    averageLatency: 20,
    packetLossRate: 0,
    totalPings: 3,
    successfulPongs: 3,
    connectionQuality: 'good',
    lastPongTime: now,
    timestamp: Date.now(),
  };
  return {
    'join:branch': { branchId: t.branchId },
    'desktop:status': { status: 'ready', timestamp: now, version: '2.0.0' },
    'printer:discovered': {
      name: 'Found',
      connection: 'network',
      device: 'host:9100',
      status: 'online',
      timestamp: now,
    },
    'printer:status:update': { printerIds: [{ id: t.printerId, status: 'online', lastSeen: now }], timestamp: now },
    'desktop:health:report': health,
    'desktop:health:degraded': { reason: 'high_latency', lastPongTime: now },
    'printer:test:ack': { printerId: t.printerId, correlationId: 'c-1', message: 'ok' },
    'printer:test:result': { printerId: t.printerId, correlationId: 'c-1', success: true, processingTime: 5 },
    'print:job:started': { jobId: t.jobId, printerId: t.printerId, timestamp: now },
    'print:job:completed': { jobId: t.jobId, success: true, processingTime: 10 },
    'print:job:failed': { jobId: t.jobId, error: { message: 'paper out' } },
    'print:job:unconfirmed': { jobId: t.jobId, reason: 'link lost' },
    'agent:ping': { timestamp: Date.now() },
    'agent:journal:damaged': {
      at: now,
      file: 'journal.log.1',
      damagedLines: 1,
      recoveredEntries: 2,
      unconfirmedJobIds: [],
    },
    'printer:sync:success': { printer: { name: 'x' }, backendId: 'b', timestamp: now },
    'printer:sync:batch-completed': { results: [{ ok: true }], timestamp: now },
    'printer:sync:error': { error: 'boom', printers: [], timestamp: now },
  };
}

export interface HostileEvent {
  event: string;
  payload: unknown;
}

/** An agent event, known (with a mutated payload) or not, or a payload of the wrong event. */
export function hostileAgentEvent(t: {
  branchId: string;
  printerId: string;
  jobId: string;
}): fc.Arbitrary<HostileEvent> {
  const valid = validPayloads(t);
  const known = Object.keys(AGENT_EVENT_SCHEMAS);
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .constantFrom(...known)
        .chain((event) => payloadFor(valid[event] ?? {}).map((payload) => ({ event, payload }))),
    },
    {
      weight: 1,
      arbitrary: fc.record({ event: hostileString.filter((e) => !RESERVED_EVENTS.has(e)), payload: hostileJson }),
    },
  );
}

/**
 * Names socket.io-client refuses to emit, and the deep marker, which as an event name would make
 * the packet one Socket.IO itself drops the connection for (its own answer to a malformed packet).
 */
const RESERVED_EVENTS = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
  DEEP_MARKER,
]);

/** A handshake `auth`: a valid one mutated, or anything at all. */
export function hostileAuth(valid: Record<string, unknown>[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...valid).chain((auth) => payloadFor(auth)) },
    { weight: 1, arbitrary: hostileJson },
  );
}

/** Sends `event` with an acknowledgement; the answer, or `'no answer'` after 5 s. */
export async function emitHostile(socket: Socket, { event, payload }: HostileEvent): Promise<unknown> {
  try {
    return await socket.timeout(5_000).emitWithAck(event, payload);
  } catch {
    return 'no answer';
  }
}
