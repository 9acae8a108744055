import type { Socket } from 'node:net';

/** Reads single bytes from a socket in order, with a deadline per byte. */
export class ByteReader {
  private readonly buffer: number[] = [];
  private waiter: ((b: number | undefined) => void) | undefined;
  closed = false;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const b of chunk) this.buffer.push(b);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /** Bytes received and not read yet (a status answer nobody waited for). */
  get buffered(): number {
    return this.buffer.length;
  }

  read(timeoutMs: number): Promise<number | undefined> {
    if (this.buffer.length > 0) return Promise.resolve(this.buffer.shift());
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve(undefined);
      }, timeoutMs);
      this.waiter = (b) => {
        clearTimeout(timer);
        resolve(b);
      };
    });
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    if (this.buffer.length > 0) {
      this.waiter = undefined;
      w(this.buffer.shift());
    } else if (this.closed) {
      this.waiter = undefined;
      w(undefined);
    }
  }
}
