import { io, type Socket } from 'socket.io-client';
import * as parser from 'socket.io-parser';
import { admitted } from './socket-clients.js';

/**
 * Stands for a value nested 5,000 levels deep. Such a value cannot be built and sent as an
 * object (JSON.stringify and Socket.IO's encoder recurse), so it travels as this marker and
 * `withDeepValues` puts the nested text in its place once the payload is serialised.
 */
export const DEEP_MARKER = '__hostile_deep_value__';
const DEEP_TEXT = `${'{"a":['.repeat(2_500)}1${']}'.repeat(2_500)}`;

const QUOTED_MARKER_VALUE = new RegExp(`"${DEEP_MARKER}"(?!:)`, 'g');

/** `json` with every `DEEP_MARKER` value (not a field name) replaced by the 5,000-deep value. */
export function withDeepValues(json: string): string {
  return json.replace(QUOTED_MARKER_VALUE, DEEP_TEXT);
}

/**
 * socket.io-client's encoder, but with `DEEP_MARKER` strings sent as a 5,000-deep value: the
 * stock encoder recurses into what it sends and cannot carry one itself.
 */
class DeepEncoder extends parser.Encoder {
  override encode(packet: parser.Packet): unknown[] {
    return super.encode(packet).map((part) => (typeof part === 'string' ? withDeepValues(part) : part));
  }
}
export const deepParser = { protocol: parser.protocol, Encoder: DeepEncoder, Decoder: parser.Decoder };

/** A socket to `/printing-ws` that can send deep values; resolves once admitted. */
export function connectDeep(url: string, auth: Record<string, unknown>): Promise<Socket> {
  return admitted(
    io(`${url}/printing-ws`, {
      transports: ['websocket'],
      reconnection: false,
      auth,
      parser: deepParser,
      forceNew: true,
    }),
  );
}
