/**
 * The raw channel between gateway processes (Redis pub/sub, or in-process for one process).
 * Messages are JSON values. Delivery is best effort (at most once); nothing durable goes over
 * it: the database is the truth, and periodic sweeps catch what a lost message missed.
 */
export interface ClusterTransport {
  publish(channel: string, message: unknown): Promise<void>;
  /** Handlers get messages published after the subscription, by any process including this one. */
  subscribe(channel: string, handler: (message: unknown) => void): Promise<void>;
  close(): Promise<void>;
}

/** A printer's row changed on process `from`; every other process drops it from its printer cache. */
export interface PrinterChangedNotice {
  printerId: string;
  /** Instance id of the publishing process. */
  from: string;
}

/**
 * A request or reply of the cluster RPC as it travels. The methods and their payloads are
 * typed by the RPC itself (cluster-rpc-methods.ts); on the bus they are JSON values.
 */
export type RpcEnvelope =
  | { kind: 'request'; id: string; from: string; method: string; payload: unknown }
  | { kind: 'reply'; id: string; ok: boolean; result?: unknown; error?: { code: string; message: string } };

/**
 * Every message the gateway processes exchange, by channel. Senders are other processes of
 * the same deployment running the same code, so the shapes are trusted, not re-validated.
 */
export interface ClusterMessages {
  'printers.changed': PrinterChangedNotice;
  /** Requests and replies of ClusterRpc, on the channel of the receiving process. */
  [channel: `instance:${string}`]: RpcEnvelope;
}

export type ClusterChannel = keyof ClusterMessages & string;

/** The cluster transport with every channel typed by ClusterMessages. */
export interface ClusterBus {
  publish<C extends ClusterChannel>(channel: C, message: ClusterMessages[C]): Promise<void>;
  subscribe<C extends ClusterChannel>(channel: C, handler: (message: ClusterMessages[C]) => void): Promise<void>;
}

/** Types a raw transport. The one unchecked step: messages on a channel are what ClusterMessages says. */
export function typedClusterBus(transport: ClusterTransport): ClusterBus {
  return {
    publish: (channel, message) => transport.publish(channel, message),
    subscribe: (channel, handler) => transport.subscribe(channel, handler as (message: unknown) => void),
  };
}
