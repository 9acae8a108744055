import { randomUUID } from 'node:crypto';
import { GatewayError } from './gateway-error.js';
import type { ClusterBus } from './ports/cluster-bus.js';
import type { Logger } from './ports/logger.js';

interface RpcRequest {
  kind: 'request';
  id: string;
  from: string;
  method: string;
  payload: unknown;
}

interface RpcReply {
  kind: 'reply';
  id: string;
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

/** Handles a request; `from` is the calling process's instance id. */
type Handler = (payload: unknown, from: string) => Promise<unknown> | unknown;

/**
 * Request/reply between gateway processes over the cluster bus: each process
 * listens on its own channel `instance:<id>`. Used when the agent a request
 * needs is held by another process.
 */
export class ClusterRpc {
  private readonly handlers = new Map<string, Handler>();
  private readonly waiting = new Map<
    string,
    { resolve: (v: unknown) => void; reject: (e: GatewayError) => void; timer: ReturnType<typeof setTimeout> }
  >();

  constructor(
    private readonly bus: ClusterBus,
    readonly instanceId: string,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.bus.subscribe(
      `instance:${this.instanceId}`,
      (message) => void this.receive(message as RpcRequest | RpcReply),
    );
  }

  handle(method: string, handler: Handler): void {
    this.handlers.set(method, handler);
  }

  /** Calls `method` on `instanceId`; rejects with `TIMEOUT` if it does not answer within `timeoutMs`. */
  call<T>(instanceId: string, method: string, payload: unknown, timeoutMs: number): Promise<T> {
    const id = randomUUID();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(
          new GatewayError('TIMEOUT', { message: `gateway process ${instanceId} did not answer ${method} in time` }),
        );
      }, timeoutMs);
      timer.unref?.();
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      const request: RpcRequest = { kind: 'request', id, from: this.instanceId, method, payload };
      this.bus.publish(`instance:${instanceId}`, request).catch((err: unknown) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        reject(new GatewayError('CLUSTER_UNAVAILABLE', { cause: err }));
      });
    });
  }

  private async receive(message: RpcRequest | RpcReply): Promise<void> {
    if (message.kind === 'reply') {
      const w = this.waiting.get(message.id);
      if (!w) return;
      clearTimeout(w.timer);
      this.waiting.delete(message.id);
      if (message.ok) w.resolve(message.result);
      else
        w.reject(
          new GatewayError((message.error?.code ?? 'INTERNAL') as GatewayError['code'], {
            message: message.error?.message,
          }),
        );
      return;
    }
    const handler = this.handlers.get(message.method);
    let reply: RpcReply;
    try {
      if (!handler) throw new GatewayError('NOT_FOUND', { message: `no cluster method ${message.method}` });
      reply = { kind: 'reply', id: message.id, ok: true, result: await handler(message.payload, message.from) };
    } catch (err) {
      const e = GatewayError.from(err);
      if (e.code === 'INTERNAL') this.logger.error({ err, method: message.method }, 'cluster request failed');
      reply = { kind: 'reply', id: message.id, ok: false, error: { code: e.code, message: e.message } };
    }
    await this.bus
      .publish(`instance:${message.from}`, reply)
      .catch((err: unknown) => this.logger.error({ err }, 'cluster reply not sent'));
  }
}
