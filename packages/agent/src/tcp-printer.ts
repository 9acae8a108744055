import { connect, type Socket } from 'node:net';
import { decodeStatusResponse, isValidStatusByte, STATUS_REQUEST } from '@printermaster/escpos';
import { answersBack } from './answers-back.js';
import { ByteReader } from './byte-reader.js';
import { notStarted, type PrinterDriver, type PrinterReadiness, type PrintResult } from './printer-driver.js';

export interface TcpPrinterOptions {
  host: string;
  port: number;
  /** Connect timeout, ms. */
  connectTimeoutMs?: number;
  /** Wait for a status byte before printing, ms. */
  statusTimeoutMs?: number;
  /** Wait for the status byte after the job (the printer must read every byte first), ms. */
  confirmTimeoutMs?: number;
  /**
   * How long a connection stays open after a completed job for the next one, ms (default 1,000).
   * Many printers serve one connection at a time, so it is held only this long, and a caller
   * with nothing more to print lets it go at once (`release`). 0: a connection per job.
   */
  lingerMs?: number;
}

/** A connection to the printer and the reader of its status bytes; used by one caller at a time. */
interface PrinterLink {
  socket: Socket;
  reader: ByteReader;
  /** When it was opened (Date.now() ms) and how many jobs it has carried: it is shared for a while only. */
  openedAt: number;
  jobs: number;
  /** It carried a job before this one: answers on it are held to the letter. */
  reused?: boolean;
  /**
   * Never kept: a status answer went missing or was not a status byte, or a job contained a command
   * the printer answers. A byte that comes late could then be read as the next job's answer.
   */
  spoiled?: boolean;
}

/** A kept connection carries at most this many jobs, then the printer is free for others a moment. */
const MAX_JOBS_PER_CONNECTION = 20;
/** ... and is kept for at most this long after it was opened, ms. */
const MAX_CONNECTION_AGE_MS = 5_000;
/** A status poll while this driver prints answers with what the print saw, if it is this recent, ms. */
const SEEN_STATUS_FRESH_MS = 5_000;

/**
 * A raw TCP (port 9100) ESC/POS printer. Before a job it asks the printer's
 * real-time status (DLE EOT 1, 2, 4); after the job it asks again: the printer
 * answers only once it has read every byte before the request, which is the
 * confirmation that the job arrived whole. Jobs printed back to back share a
 * connection (see `lingerMs`); each still asks the status before and after.
 */
export class TcpPrinter implements PrinterDriver {
  readonly uri: string;
  readonly connection = 'network';
  private readonly connectTimeoutMs: number;
  private readonly statusTimeoutMs: number;
  private readonly confirmTimeoutMs: number;
  private readonly lingerMs: number;
  /** The connection kept after a completed job, and the timer that closes it. */
  private idle: { link: PrinterLink; timer: NodeJS.Timeout } | undefined;
  /** Prints under way on this driver. */
  private printing = 0;
  /** The readiness a print last asked the printer for, and when (Date.now() ms). */
  private lastSeen: { readiness: PrinterReadiness; at: number } | undefined;

  constructor(private readonly options: TcpPrinterOptions) {
    this.uri = `tcp://${options.host}:${options.port}`;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.statusTimeoutMs = options.statusTimeoutMs ?? 3_000;
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? 60_000;
    this.lingerMs = options.lingerMs ?? 1_000;
  }

  async checkStatus(): Promise<PrinterReadiness> {
    // While jobs are printing (or a connection is kept for the next one), a poll must not compete
    // for a printer that may serve one connection at a time: the print's own answer is fresh.
    const seen = this.lastSeen;
    if ((this.printing > 0 || this.idle) && seen && Date.now() - seen.at < SEEN_STATUS_FRESH_MS) return seen.readiness;
    const link = await this.open();
    if (!link) return this.unreachable();
    try {
      return await this.queryStatus(link);
    } finally {
      closeGracefully(link.socket);
    }
  }

  async print(bytes: Uint8Array, beforeFirstByte: () => Promise<void>): Promise<PrintResult> {
    this.printing += 1;
    try {
      return await this.printOnce(bytes, beforeFirstByte);
    } finally {
      this.printing -= 1;
    }
  }

  private async printOnce(bytes: Uint8Array, beforeFirstByte: () => Promise<void>): Promise<PrintResult> {
    const opened = await this.connectForStatus();
    this.lastSeen = { readiness: opened.readiness, at: Date.now() };
    if (!opened.link) {
      const { readiness } = opened;
      return notStarted(readiness);
    }
    const { link, readiness: before } = opened;
    const { socket, reader } = link;
    let wroteAny = false;
    let keep = false;
    try {
      if (!before.ready) return notStarted(before);
      await beforeFirstByte();
      wroteAny = true;
      if (answersBack(bytes)) link.spoiled = true;
      // The confirmation request goes right behind the job, in the same write.
      const written = await writeAll(socket, Buffer.concat([bytes, STATUS_REQUEST[1]]));
      if (!written)
        return { outcome: 'unconfirmed', reason: 'the printer connection dropped while the job was being sent' };
      const after = await reader.read(this.confirmTimeoutMs);
      if (after === undefined) {
        return {
          outcome: 'unconfirmed',
          reason: reader.closed
            ? 'the printer connection dropped before the printer confirmed the job'
            : 'the printer did not confirm the job in time',
        };
      }
      const isStatus = isValidStatusByte(after);
      // Anything but exactly one status byte means bytes nobody asked for: the connection is not reused.
      if (!isStatus || reader.buffered > 0) link.spoiled = true;
      // On a connection that carried an earlier job, a byte that is no status answer may be a late
      // byte of that job, and this job's confirmation may still be to come.
      if (link.reused && !isStatus)
        return {
          outcome: 'unconfirmed',
          reason: 'the printer answered the confirmation with bytes that are not a status',
        };
      const flags = decodeStatusResponse(1, after);
      if (flags.online === false) return { outcome: 'unconfirmed', reason: 'the printer went offline while printing' };
      link.jobs += 1;
      keep = true;
      return before.code ? { outcome: 'completed', code: before.code } : { outcome: 'completed' };
    } catch (err) {
      return wroteAny
        ? { outcome: 'unconfirmed', reason: `printer connection failed while printing: ${(err as Error).message}` }
        : {
            outcome: 'not-started',
            reason: `printer connection failed: ${(err as Error).message}`,
            status: 'offline',
            code: 'unreachable',
          };
    } finally {
      if (keep) this.keep(link);
      else socket.destroy();
    }
  }

  /** Closes a connection kept for a next job: the caller has nothing more to print now. */
  release(): void {
    const idle = this.idle;
    if (!idle) return;
    this.idle = undefined;
    clearTimeout(idle.timer);
    closeGracefully(idle.link.socket);
  }

  /**
   * A connection whose printer has answered the status questions: the kept one if it still
   * answers, else a new one. `link` is undefined when no connection could be made.
   */
  private async connectForStatus(): Promise<{ link?: PrinterLink; readiness: PrinterReadiness }> {
    const kept = this.takeIdle();
    if (kept) {
      const readiness = await this.queryStatus(kept);
      if (readiness.status !== 'error' || (!kept.reader.closed && !kept.spoiled)) return { link: kept, readiness };
      // The printer closed the kept connection meanwhile, or answered with bytes nobody asked for:
      // nothing of this job was sent, so ask on a new one.
      kept.socket.destroy();
    }
    const link = await this.open();
    if (!link) return { readiness: this.unreachable() };
    return { link, readiness: await this.queryStatus(link) };
  }

  private takeIdle(): PrinterLink | undefined {
    const idle = this.idle;
    if (!idle) return undefined;
    this.idle = undefined;
    clearTimeout(idle.timer);
    // A connection the printer closed, or with an answer nobody asked for, is not trusted again.
    if (idle.link.reader.closed || idle.link.reader.buffered > 0 || idle.link.socket.destroyed) {
      idle.link.socket.destroy();
      return undefined;
    }
    idle.link.reused = true;
    return idle.link;
  }

  private keep(link: PrinterLink): void {
    const shared = link.jobs >= MAX_JOBS_PER_CONNECTION || Date.now() - link.openedAt >= MAX_CONNECTION_AGE_MS;
    if (this.lingerMs <= 0 || this.idle || link.spoiled || shared) {
      closeGracefully(link.socket);
      return;
    }
    const timer = setTimeout(() => this.release(), this.lingerMs);
    timer.unref();
    this.idle = { link, timer };
  }

  private open(): Promise<PrinterLink | undefined> {
    return new Promise((resolve) => {
      const socket = connect({ host: this.options.host, port: this.options.port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(undefined);
      }, this.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        // A kept connection can be reset by the printer while nobody uses it; 'close' follows.
        socket.on('error', () => {});
        resolve({ socket, reader: new ByteReader(socket), openedAt: Date.now(), jobs: 0 });
      });
      socket.once('error', () => {
        clearTimeout(timer);
        socket.destroy();
        resolve(undefined);
      });
    });
  }

  private unreachable(): PrinterReadiness {
    return { ready: false, status: 'offline', reason: `cannot connect to ${this.uri}`, code: 'unreachable' };
  }

  /** Asks DLE EOT 1, 2 and 4 in one write; the printer answers each in order. */
  private async queryStatus(link: PrinterLink): Promise<PrinterReadiness> {
    const { socket, reader } = link;
    socket.write(STATUS_BEFORE_JOB);
    const read = async (n: 1 | 2 | 4) => {
      const byte = await reader.read(this.statusTimeoutMs);
      if (byte === undefined) return undefined;
      if (!isValidStatusByte(byte)) link.spoiled = true;
      return decodeStatusResponse(n, byte);
    };
    const printer = await read(1);
    if (!printer) {
      return {
        ready: false,
        status: 'error',
        reason: 'the printer does not answer status requests',
        code: 'not_answering',
      };
    }
    const offlineCause = await read(2);
    const paper = await read(4);
    if (link.reused && link.spoiled) {
      const reason = 'the printer sent bytes that are not status answers';
      return { ready: false, status: 'error', reason, code: 'not_answering' };
    }
    // Some printers answer only DLE EOT 1; what they do not say does not hold a job back.
    if (!offlineCause || !paper) link.spoiled = true;
    if (offlineCause?.coverOpen) return { ready: false, status: 'error', reason: 'cover open', code: 'cover_open' };
    if (paper?.paperOut || offlineCause?.paperOut) {
      return { ready: false, status: 'error', reason: 'paper out', code: 'paper_out' };
    }
    if (printer.online === false) {
      return { ready: false, status: 'offline', reason: 'printer offline', code: 'printer_offline' };
    }
    // Still prints: the roll is nearly done, and someone should bring the next one.
    if (paper?.paperNearEnd) return { ready: true, status: 'online', reason: 'paper near end', code: 'paper_near_end' };
    return { ready: true, status: 'online' };
  }
}

const STATUS_BEFORE_JOB = Buffer.concat([STATUS_REQUEST[1], STATUS_REQUEST[2], STATUS_REQUEST[4]]);

/** Ends our side, so the printer reads what was sent, and drops the socket once it closes or after 2 s. */
function closeGracefully(socket: Socket): void {
  if (socket.destroyed) return;
  const timer = setTimeout(() => socket.destroy(), 2_000);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.end();
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
