import type { Duplex } from 'node:stream';

/** What the coalescer needs of an Engine.IO connection: its transport, and under a WebSocket one the TCP socket. */
interface EngineConnection {
  transport?: { name?: string; socket?: { _socket?: Duplex } };
}

/**
 * Gathers the frames one connection (an agent, a dashboard) is sent within one turn
 * of the event loop into as few writes as possible.
 *
 * Without it, every Socket.IO packet is its own `writev`: 64 printer tests arriving
 * together are 64 system calls on the agent's socket, each costing about as much as
 * the rest of the test's handling (docs/benchmarks.md). The first
 * packet of a turn still goes out at once, so a lone request waits for nothing;
 * from the second on, the TCP socket is corked until the end of the turn
 * (`setImmediate`, after the I/O callbacks of the turn), and Engine.IO, which
 * buffers packets while its transport is writing, hands the rest over as one flush,
 * itself sent as one write.
 *
 * Only WebSocket transports are touched (long-polling has its own batching). The TCP
 * socket is ws's private `_socket`: if a version of ws ever lacks it, frames simply
 * go out one by one as before.
 */
export class WriteCoalescer {
  /** Connections that sent a packet in this turn. */
  private readonly sentThisTurn = new Set<EngineConnection>();
  /** TCP sockets corked until the end of this turn. */
  private readonly corked = new Set<Duplex>();
  /** TCP sockets corked for one Engine.IO flush (between its `flush` and `drain` events). */
  private readonly flushing = new Set<Duplex>();
  private scheduled = false;

  private readonly endTurn = (): void => {
    this.scheduled = false;
    this.sentThisTurn.clear();
    for (const tcp of this.corked) tcp.uncork();
    this.corked.clear();
  };

  /** Before each packet `conn` sends (Engine.IO's `packetCreate`). */
  packetCreated(conn: EngineConnection): void {
    if (!this.sentThisTurn.has(conn)) {
      this.sentThisTurn.add(conn);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.endTurn);
      }
      return;
    }
    const tcp = tcpSocketOf(conn);
    if (!tcp || this.corked.has(tcp)) return;
    tcp.cork();
    this.corked.add(tcp);
  }

  /** Engine.IO is about to hand `packets` packets to the transport (its `flush` event). */
  flushStarts(conn: EngineConnection, packets: number): void {
    if (packets < 2) return;
    const tcp = tcpSocketOf(conn);
    if (!tcp || this.flushing.has(tcp)) return;
    tcp.cork();
    this.flushing.add(tcp);
  }

  /** The transport has taken the flushed packets (Engine.IO's `drain` event). */
  flushEnded(conn: EngineConnection): void {
    const tcp = tcpSocketOf(conn);
    if (!tcp || !this.flushing.delete(tcp)) return;
    tcp.uncork();
  }
}

function tcpSocketOf(conn: EngineConnection): Duplex | undefined {
  const transport = conn.transport;
  if (transport?.name !== 'websocket') return undefined;
  const tcp = transport.socket?._socket;
  return tcp && !tcp.destroyed ? tcp : undefined;
}
