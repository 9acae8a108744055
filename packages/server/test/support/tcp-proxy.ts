import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder on 127.0.0.1 that a test can cut and restore, to make a real
 * dependency (PostgreSQL, Redis, a gateway) unreachable. With several targets
 * it spreads connections round-robin over the ones that accept (a load balancer).
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private next = 0;
  private blocked = false;
  port = 0;

  constructor(private targets: { host: string; port: number }[]) {}

  setTargets(targets: { host: string; port: number }[]): void {
    this.targets = targets;
  }

  async start(port = 0): Promise<number> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', () => resolve()));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    return this.port;
  }

  /** Drops every connection and refuses new ones until `restore`. */
  cut(): void {
    this.blocked = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.blocked = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket, attempt = 0): void {
    if (this.blocked || this.targets.length === 0) {
      client.destroy();
      return;
    }
    const target = this.targets[this.next++ % this.targets.length] as { host: string; port: number };
    const upstream = connect(target);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      this.sockets.add(client);
      this.sockets.add(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.on('error', () => {
      // A target that refuses: try the next one, like a load balancer's health check would.
      if (!connected && attempt < this.targets.length) {
        upstream.destroy();
        this.accept(client, attempt + 1);
        return;
      }
      client.destroy();
    });
    client.on('error', () => upstream.destroy());
    const cleanup = () => {
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', cleanup);
    upstream.on('close', () => {
      if (connected) cleanup();
    });
  }
}
