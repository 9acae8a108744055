import type { AgentSession, WebClientSocket } from './gateway-sockets.js';
import type { PingLatency } from './ping-latency.js';
import { WriteCoalescer } from './write-coalescer.js';

export interface EngineListenersDeps {
  latency: PingLatency;
}

type Packet = { type: string };

/**
 * The listeners on each connection's Engine.IO socket (below Socket.IO): frames to one client in
 * one loop turn share writes (WriteCoalescer), and an agent's pings and pongs are latency samples
 * (PingLatency). The same few functions serve every connection, which Engine.IO calls with the
 * connection as `this`; an agent's session is found from its connection.
 */
export class EngineListeners {
  private readonly coalescer = new WriteCoalescer();
  private readonly sessionsByConn = new WeakMap<object, AgentSession>();
  private readonly onAgentPacketCreate: (this: object, packet: Packet) => void;
  private readonly onAgentPacket: (this: object, packet: Packet) => void;
  private readonly onWebPacketCreate: (this: object) => void;
  private readonly onFlush: (this: object, packets: unknown[]) => void;
  private readonly onDrain: (this: object) => void;

  constructor(deps: EngineListenersDeps) {
    const { coalescer, sessionsByConn } = this;
    const { latency } = deps;
    this.onAgentPacketCreate = function (this: object, packet: Packet) {
      coalescer.packetCreated(this);
      const session = packet.type === 'ping' ? sessionsByConn.get(this) : undefined;
      if (session) latency.pingSent(session);
    };
    this.onAgentPacket = function (this: object, packet: Packet) {
      const session = packet.type === 'pong' ? sessionsByConn.get(this) : undefined;
      if (session) latency.pongReceived(session);
    };
    this.onWebPacketCreate = function (this: object) {
      coalescer.packetCreated(this);
    };
    this.onFlush = function (this: object, packets: unknown[]) {
      coalescer.flushStarts(this, packets.length);
    };
    this.onDrain = function (this: object) {
      coalescer.flushEnded(this);
    };
  }

  watchAgent(session: AgentSession): void {
    const { conn } = session.socket;
    this.sessionsByConn.set(conn, session);
    conn.on('packetCreate', this.onAgentPacketCreate);
    conn.on('packet', this.onAgentPacket);
    conn.on('flush', this.onFlush);
    conn.on('drain', this.onDrain);
  }

  /** A branch's dashboards get every job update: many frames a turn under load. */
  watchWeb(socket: WebClientSocket): void {
    const { conn } = socket;
    conn.on('packetCreate', this.onWebPacketCreate);
    conn.on('flush', this.onFlush);
    conn.on('drain', this.onDrain);
  }
}
