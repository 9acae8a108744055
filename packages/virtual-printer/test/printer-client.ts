import { connect, type Socket } from 'node:net';

/** How long a test waits for something that should happen at once. */
export const DEADLINE_MS = 5_000;

/**
 * A raw TCP client for the virtual printer, as a POS or the agent would open: collects what the
 * printer sends back and tells when the printer closed the connection.
 */
export class PrinterClient {
  readonly socket: Socket;
  /** Resolves when the connection is fully closed, by either side. */
  readonly closed: Promise<void>;
  #received: number[] = [];
  #onReceive: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => {
      this.#received.push(...chunk);
      this.#onReceive?.();
    });
    // The printer cutting the connection (drop, offline) shows up as EPIPE / ECONNRESET here.
    socket.on('error', () => {});
  }

  /** Connects; rejects with the socket error (e.g. `ECONNREFUSED`). */
  static open(port: number): Promise<PrinterClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new PrinterClient(socket));
      });
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(bytes, (error) => (error ? reject(error) : resolve())));
  }

  /** Waits until `count` bytes have come back from the printer and returns them (and forgets them). */
  async read(count: number, timeoutMs = DEADLINE_MS): Promise<number[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.#received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} bytes from the printer, got ${this.#received.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#onReceive = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#onReceive = undefined;
    }
    return this.#received.splice(0, count);
  }

  /** Ends our side and waits for the printer to close the connection. */
  async end(): Promise<void> {
    this.socket.end();
    await withDeadline(this.closed, 'connection close');
  }
}

/** Sends one job on its own connection, as a print client does, and waits until the printer closed it. */
export async function sendJob(port: number, ...parts: Uint8Array[]): Promise<void> {
  const client = await PrinterClient.open(port);
  for (const part of parts) await client.write(part);
  await client.end();
}

/** Rejects if `promise` takes longer than `timeoutMs`. */
export async function withDeadline<T>(promise: Promise<T>, what: string, timeoutMs = DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The error code of a failed connection attempt, or `'connected'`. */
export async function connectOutcome(port: number): Promise<string> {
  try {
    const client = await PrinterClient.open(port);
    client.socket.destroy();
    return 'connected';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}
