import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** ws's completion callback of a compression: the deflated message, without its last four bytes. */
type Compressed = (err: Error | null, result?: Buffer) => void;

/**
 * The part of ws's `PerMessageDeflate` (ws 8, `lib/permessage-deflate.js`) this module relies on:
 * one instance per connection, `params` as negotiated, `_options` as the server gave them.
 */
export interface PerMessageDeflateInstance {
  readonly _isServer: boolean;
  readonly _options: { zlibDeflateOptions?: object };
  params: Record<string, unknown> | null;
  compress(data: Buffer | string, fin: boolean, callback: Compressed): void;
}

export interface DeflateSharingOptions {
  /**
   * Memory kept for messages sent again, bytes: each kept message's text (2 bytes a UTF-16 code
   * unit) and its deflated bytes; the oldest go first past it.
   */
  maxBytes: number;
  /** Messages longer than this (UTF-16 code units) are compressed per connection, as ws does. */
  maxMessageLength: number;
  /**
   * Messages longer than this are shared only while their run is under way, not kept after: a
   * room's status batch is a few KB, a job's content (sent to one agent) may be far larger.
   */
  maxKeptLength: number;
}

/** How many messages went through shared compression: zlib runs, and connections served by another's run. */
export interface DeflateSharingStats {
  compressed: number;
  shared: number;
}

interface Entry {
  /** Deflate settings the result was made with: only a connection with the same may use it. */
  zlibOptions: object | undefined;
  windowBits: number;
  result?: Buffer;
  /** What the entry counts against `maxBytes` once kept. */
  bytes?: number;
  /** Connections waiting for the run under way; `undefined` once it ended. */
  waiters?: { self: PerMessageDeflateInstance; callback: Compressed }[];
}

/** Where the process's sharing is kept on ws's prototype: installed once, whoever asks. */
const INSTALLED = Symbol.for('printermaster.deflateSharing');
/** ws's own `compress`, kept on its prototype once sharing replaced it. */
const OWN = Symbol.for('printermaster.deflateSharing.own');

const DEFAULTS: DeflateSharingOptions = {
  maxBytes: 1024 * 1024,
  maxMessageLength: 256 * 1024,
  maxKeptLength: 16 * 1024,
};
const Z_DEFAULT_WINDOWBITS = 15;

/**
 * One compression per message for every connection it goes to, instead of one per connection.
 *
 * Without context takeover (docs/protocol.md#transport, decision 0004) ws resets a connection's
 * deflate stream after each message, so a message's deflated bytes depend only on the message
 * and the deflate settings: a status batch sent to 500 dashboards deflates to the same bytes 500
 * times, each a zlib call on the thread pool. Here the first connection's call runs, connections
 * sending the same text meanwhile wait for it, and later ones reuse its bytes while they are kept
 * (short messages only: 16K characters, 1 MiB in all, text included).
 * Ordering is ws's own: each connection's sender still queues its messages and sends this one
 * when it would have. Messages ws compresses with context (a fragment, context takeover, a
 * client-side connection) and binary messages go through ws unchanged.
 */
export class DeflateSharing {
  readonly #byText = new Map<string, Entry>();
  readonly #fragmented = new WeakSet<PerMessageDeflateInstance>();
  readonly #options: DeflateSharingOptions;
  #bytes = 0;
  readonly #stats: DeflateSharingStats = { compressed: 0, shared: 0 };

  constructor(options: Partial<DeflateSharingOptions> = {}) {
    this.#options = { ...DEFAULTS, ...options };
  }

  /** Counts since this was created. */
  stats(): DeflateSharingStats {
    return { ...this.#stats };
  }

  /**
   * ws's `compress`, for `self`'s connection: `own` is ws's original method, called for
   * whatever is not shared, or when the shared run failed (its connection closed meanwhile).
   */
  compress(
    self: PerMessageDeflateInstance,
    own: PerMessageDeflateInstance['compress'],
    data: Buffer | string,
    fin: boolean,
    callback: Compressed,
  ): void {
    // A connection that sent a fragment keeps its deflate context until its message ends: from
    // then on its bytes are its own (engine.io never fragments; this is for anyone who does).
    if (!fin) this.#fragmented.add(self);
    const windowBits = this.#fragmented.has(self)
      ? undefined
      : sharableWindowBits(self, data, fin, this.#options.maxMessageLength);
    if (windowBits === undefined) {
      own.call(self, data, fin, callback);
      return;
    }
    const text = data as string;
    const zlibOptions = self._options.zlibDeflateOptions;
    const entry = this.#byText.get(text);
    if (entry && entry.zlibOptions === zlibOptions && entry.windowBits === windowBits) {
      this.#stats.shared++;
      if (entry.waiters) entry.waiters.push({ self, callback });
      // Later in this turn, as a zlib result would come later: ws's sender expects it after `compress` returns.
      else queueMicrotask(() => callback(null, entry.result));
      return;
    }
    // Another setting's entry for the same text (a client that asked for a smaller window) is replaced.
    if (entry) this.#forget(text, entry);
    const fresh: Entry = { zlibOptions, windowBits, waiters: [] };
    this.#byText.set(text, fresh);
    this.#stats.compressed++;
    own.call(self, data, fin, (err, result) => {
      const waiters = fresh.waiters ?? [];
      fresh.waiters = undefined;
      if (err || !result) {
        // The run's connection closed under it: each waiting connection compresses for itself.
        if (this.#byText.get(text) === fresh) this.#byText.delete(text);
        callback(err, result);
        for (const waiter of waiters) own.call(waiter.self, data, fin, waiter.callback);
        return;
      }
      if (this.#byText.get(text) === fresh) {
        if (text.length <= this.#options.maxKeptLength) this.#keep(text, fresh, result);
        else this.#byText.delete(text);
      }
      callback(null, result);
      for (const waiter of waiters) waiter.callback(null, result);
    });
  }

  #keep(text: string, entry: Entry, result: Buffer): void {
    entry.result = result;
    entry.bytes = text.length * 2 + result.length;
    this.#bytes += entry.bytes;
    // Oldest first (a Map keeps insertion order); an entry still compressing has no bytes yet.
    for (const [oldText, old] of this.#byText) {
      if (this.#bytes <= this.#options.maxBytes) break;
      if (old.result) this.#forget(oldText, old);
    }
  }

  #forget(text: string, entry: Entry): void {
    this.#byText.delete(text);
    this.#bytes -= entry.bytes ?? 0;
  }
}

/**
 * The window a message is compressed with when its bytes can be shared, else `undefined`:
 * server side, without context takeover, a whole message (not a fragment), text, not too long.
 */
function sharableWindowBits(
  self: PerMessageDeflateInstance,
  data: Buffer | string,
  fin: boolean,
  maxLength: number,
): number | undefined {
  if (!fin || typeof data !== 'string' || data.length > maxLength || !self._isServer) return undefined;
  const params = self.params;
  if (params?.server_no_context_takeover !== true) return undefined;
  const bits = params.server_max_window_bits;
  return typeof bits === 'number' ? bits : Z_DEFAULT_WINDOWBITS;
}

/** ws's `PerMessageDeflate` class, as far as this module uses it. */
export interface PerMessageDeflateClass {
  new (options: object): PerMessageDeflateInstance;
  extensionName?: string;
  prototype: PerMessageDeflateInstance & {
    [INSTALLED]?: DeflateSharing;
    [OWN]?: PerMessageDeflateInstance['compress'];
  };
}

/**
 * The process's sharing, with the compressions of the `ws` that Socket.IO uses routed through it
 * (installed at the first call); `undefined`, and ws left as it is, when ws's `PerMessageDeflate`
 * is not what this module expects (a ws upgrade that changed it: the tests say so).
 */
export function deflateSharingOfProcess(): DeflateSharing | undefined {
  const ws = wsPerMessageDeflate();
  if (!ws) return undefined;
  const proto = ws.PerMessageDeflate.prototype;
  const installed = proto[INSTALLED];
  if (installed) return installed;
  const sharing = new DeflateSharing();
  const own = ws.compress;
  proto.compress = function compress(this: PerMessageDeflateInstance, data, fin, callback) {
    sharing.compress(this, own, data, fin, callback);
  };
  proto[OWN] = own;
  proto[INSTALLED] = sharing;
  return sharing;
}

/**
 * ws's `PerMessageDeflate` as Socket.IO's engine.io loads it, and its own `compress` (from before
 * any sharing was installed); `undefined` when it is not what this module expects. ws exports no
 * path to it, so it is found by file.
 */
export function wsPerMessageDeflate():
  | { PerMessageDeflate: PerMessageDeflateClass; compress: PerMessageDeflateInstance['compress'] }
  | undefined {
  let cls: PerMessageDeflateClass;
  try {
    const here = createRequire(import.meta.url);
    const engineIo = createRequire(here.resolve('socket.io')).resolve('engine.io');
    const ws = createRequire(engineIo).resolve('ws');
    cls = createRequire(ws)(join(dirname(ws), 'lib', 'permessage-deflate.js')) as PerMessageDeflateClass;
  } catch {
    return undefined;
  }
  const compress = cls.prototype[OWN] ?? cls.prototype.compress;
  if (cls.extensionName !== 'permessage-deflate' || typeof compress !== 'function') return undefined;
  return { PerMessageDeflate: cls, compress };
}
