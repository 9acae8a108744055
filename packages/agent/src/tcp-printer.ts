import { connect, type Socket } from 'node:net';
import { decodeStatusResponse, STATUS_REQUEST } from '@printermaster/escpos';
import type { PrinterDriver, PrinterReadiness, PrintResult } from './printer-driver.js';

export interface TcpPrinterOptions {
  host: string;
  port: number;
  /** Connect timeout, ms. */
  connectTimeoutMs?: number;
  /** Wait for a status byte before printing, ms. */
  statusTimeoutMs?: number;
  /** Wait for the status byte after the job (the printer must read every byte first), ms. */
  confirmTimeoutMs?: number;
}

/** Reads single bytes from a socket in order, with a deadline per byte. */
class ByteReader {
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

/**
 * A raw TCP (port 9100) ESC/POS printer. Before a job it asks the printer's
 * real-time status (DLE EOT 1, 2, 4); after the job it asks again: the printer
 * answers only once it has read every byte before the request, which is the
 * confirmation that the job arrived whole.
 */
export class TcpPrinter implements PrinterDriver {
  readonly uri: string;
  readonly connection = 'network';
  private readonly connectTimeoutMs: number;
  private readonly statusTimeoutMs: number;
  private readonly confirmTimeoutMs: number;

  constructor(private readonly options: TcpPrinterOptions) {
    this.uri = `tcp://${options.host}:${options.port}`;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.statusTimeoutMs = options.statusTimeoutMs ?? 3_000;
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? 60_000;
  }

  async checkStatus(): Promise<PrinterReadiness> {
    const socket = await this.open();
    if (!socket) return { ready: false, status: 'offline', reason: `cannot connect to ${this.uri}` };
    try {
      return await this.queryStatus(socket, new ByteReader(socket));
    } finally {
      socket.destroy();
    }
  }

  async print(bytes: Uint8Array, beforeFirstByte: () => Promise<void>): Promise<PrintResult> {
    const socket = await this.open();
    if (!socket) return { outcome: 'not-started', reason: `cannot connect to ${this.uri}`, status: 'offline' };
    const reader = new ByteReader(socket);
    let wroteAny = false;
    try {
      const before = await this.queryStatus(socket, reader);
      if (!before.ready)
        return { outcome: 'not-started', reason: before.reason ?? 'printer not ready', status: before.status };
      await beforeFirstByte();
      wroteAny = true;
      const written = await writeAll(socket, bytes);
      if (!written)
        return { outcome: 'unconfirmed', reason: 'the printer connection dropped while the job was being sent' };
      socket.write(STATUS_REQUEST[1]);
      const after = await reader.read(this.confirmTimeoutMs);
      if (after === undefined) {
        return {
          outcome: 'unconfirmed',
          reason: reader.closed
            ? 'the printer connection dropped before the printer confirmed the job'
            : 'the printer did not confirm the job in time',
        };
      }
      const flags = decodeStatusResponse(1, after);
      if (flags.online === false) return { outcome: 'unconfirmed', reason: 'the printer went offline while printing' };
      await new Promise<void>((resolve) => socket.end(() => resolve()));
      return { outcome: 'completed' };
    } catch (err) {
      return wroteAny
        ? { outcome: 'unconfirmed', reason: `printer connection failed while printing: ${(err as Error).message}` }
        : { outcome: 'not-started', reason: `printer connection failed: ${(err as Error).message}`, status: 'offline' };
    } finally {
      socket.destroy();
    }
  }

  private open(): Promise<Socket | undefined> {
    return new Promise((resolve) => {
      const socket = connect({ host: this.options.host, port: this.options.port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(undefined);
      }, this.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(socket);
      });
      socket.once('error', () => {
        clearTimeout(timer);
        socket.destroy();
        resolve(undefined);
      });
    });
  }

  private async queryStatus(socket: Socket, reader: ByteReader): Promise<PrinterReadiness> {
    const ask = async (n: 1 | 2 | 4) => {
      socket.write(STATUS_REQUEST[n]);
      const byte = await reader.read(this.statusTimeoutMs);
      return byte === undefined ? undefined : decodeStatusResponse(n, byte);
    };
    const printer = await ask(1);
    if (!printer) return { ready: false, status: 'error', reason: 'the printer does not answer status requests' };
    const offlineCause = await ask(2);
    const paper = await ask(4);
    if (offlineCause?.coverOpen) return { ready: false, status: 'error', reason: 'cover open' };
    if (paper?.paperOut || offlineCause?.paperOut) return { ready: false, status: 'error', reason: 'paper out' };
    if (printer.online === false) return { ready: false, status: 'offline', reason: 'printer offline' };
    return { ready: true, status: 'online' };
  }
}

function writeAll(socket: Socket, bytes: Uint8Array): Promise<boolean> {
  return new Promise((resolve) => {
    const onClose = () => resolve(false);
    socket.once('close', onClose);
    socket.write(bytes, (err) => {
      socket.off('close', onClose);
      resolve(!err);
    });
  });
}
