import { ControlCode } from './control-code.js';
import type { EscPosCommand, ReadCommand } from './read-command.js';

const { NUL } = ControlCode;

/** A command with no visible effect. */
export const IGNORED: EscPosCommand = { kind: 'ignored' };
/** An unrecognised or garbled command, counted by the decoder. */
export const UNKNOWN: EscPosCommand = { kind: 'unknown' };

export function done(command: EscPosCommand, length: number, payload = 0): ReadCommand {
  return { command, length, payload };
}

/** Unknown or garbled command: skip the prefix and function byte only, so little data is lost. */
export const skipUnknown = (): ReadCommand => done(UNKNOWN, 2);

/**
 * The bytes of one command, read relative to where it starts. Out-of-range reads give 0, so callers
 * check with `has` before trusting a value. The read helpers return `undefined` while the buffer ends
 * before the command does.
 */
export class CommandBytes {
  readonly buf: Uint8Array;
  readonly start: number;

  constructor(deps: { buf: Uint8Array; start: number }) {
    this.buf = deps.buf;
    this.start = deps.start;
  }

  get available(): number {
    return this.buf.length - this.start;
  }

  has(count: number): boolean {
    return this.available >= count;
  }

  at(index: number): number {
    return this.buf[this.start + index] ?? 0;
  }

  /** Little-endian 16-bit value (`nL nH`) at `index`. */
  word(index: number): number {
    return this.at(index) | (this.at(index + 1) << 8);
  }

  slice(from: number, to: number): Uint8Array {
    return this.buf.subarray(this.start + from, this.start + to);
  }

  /** Index (relative) of the first NUL at or after `from` within `limit` bytes, -1 if none is present yet. */
  findNul(from: number, limit: number): number {
    const end = Math.min(this.available, from + limit);
    for (let i = from; i < end; i++) if (this.at(i) === NUL) return i;
    return -1;
  }

  /** A command of `total` bytes (no decodable effect unless `command` says otherwise), or incomplete. */
  fixed(total: number, command: EscPosCommand = IGNORED): ReadCommand | undefined {
    return this.has(total) ? done(command, total) : undefined;
  }

  /** `<prefix> <fn> pL pH <p bytes>`: the generic "function" layout of ESC (, GS ( and FS (. */
  withParameterLength(command: EscPosCommand = IGNORED): ReadCommand | undefined {
    if (!this.has(5)) return undefined;
    return this.fixed(5 + this.word(3), command);
  }

  /**
   * `ESC & y c1 c2 [x d1…d(y×x)]…` and `FS q n [xL xH yL yH d…]…`: `count` variable-size records after
   * a header; `recordLength` gives the size of the record at `offset`, or `undefined` while unknown.
   */
  repeatedRecords(
    headerLength: number,
    count: number,
    recordLength: (offset: number) => number | undefined,
  ): ReadCommand | undefined {
    let offset = headerLength;
    for (let i = 0; i < count; i++) {
      const length = recordLength(offset);
      if (length === undefined) return undefined;
      offset += length;
    }
    return this.fixed(offset);
  }
}
