import { randomUUID } from 'node:crypto';
import type { Clock, Timer } from './clock.js';
import type { ClusterRpcMethod, ClusterRpcMethods, RpcRequest } from './cluster-rpc-methods.js';
import { GatewayError } from './gateway-error.js';
import type { ClusterBus, RpcEnvelope } from './ports/cluster-bus.js';
import type { Logger } from './ports/logger.js';

/** Handles a request; `from` is the calling process's instance id. */
type Handler<M extends ClusterRpcMethod> = (
  payload: ClusterRpcMethods[M]['request'],
  from: string,
) => Promise<ClusterRpcMethods[M]['reply']> | ClusterRpcMethods[M]['reply'];

export interface ClusterRpcDeps {
  bus: ClusterBus;
  /** This process's instance id: its channel is `instance:<id>`. */
  instanceId: string;
  clock: Clock;
  logger: Logger;
}

/**
 * Request/reply between gateway processes over the cluster bus: each process listens on its
 * own channel `instance:<id>`. Used when the agent a request needs is held by another process.
 */
export class ClusterRpc {
  readonly instanceId: string;
  private readonly handlers = new Map<ClusterRpcMethod, Handler<ClusterRpcMethod>>();
  private readonly waiting = new Map<
    string,
    { resolve: (v: unknown) => void; reject: (e: GatewayError) => void; timer: Timer }
  >();

  constructor(private readonly deps: ClusterRpcDeps) {
    this.instanceId = deps.instanceId;
  }

  async start(): Promise<void> {
    await this.deps.bus.subscribe(`instance:${this.instanceId}`, (message) => void this.receive(message));
  }

  handle<M extends ClusterRpcMethod>(method: M, handler: Handler<M>): void {
    this.handlers.set(method, handler as unknown as Handler<ClusterRpcMethod>);
  }

  /** Calls `method` on `instanceId`; rejects with `TIMEOUT` if it does not answer within `timeoutMs`. */
  call<M extends ClusterRpcMethod>(
    instanceId: string,
    method: M,
    payload: ClusterRpcMethods[M]['request'],
    timeoutMs: number,
  ): Promise<ClusterRpcMethods[M]['reply']> {
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = this.deps.clock.setTimer(timeoutMs, () => {
        this.waiting.delete(id);
        reject(
          new GatewayError('TIMEOUT', { message: `gateway process ${instanceId} did not answer ${method} in time` }),
        );
      });
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.deps.bus
        .publish(`instance:${instanceId}`, { kind: 'request', id, from: this.instanceId, method, payload })
        .catch((err: unknown) => {
          timer.cancel();
          this.waiting.delete(id);
          reject(new GatewayError('CLUSTER_UNAVAILABLE', { cause: err }));
        });
    });
  }

  /** Rejects every call still waiting for its reply (shutdown). */
  close(): void {
    for (const [id, w] of this.waiting) {
      w.timer.cancel();
      w.reject(new GatewayError('SERVICE_UNAVAILABLE', { message: 'the gateway is shutting down' }));
      this.waiting.delete(id);
    }
  }

  private async receive(message: RpcEnvelope): Promise<void> {
    if (message.kind === 'reply') {
      const w = this.waiting.get(message.id);
      if (!w) return;
      w.timer.cancel();
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
    // Senders run the same code: a method's payload is what ClusterRpcMethods says it is.
    const request = message as RpcRequest;
    const handler = this.handlers.get(request.method);
    let reply: Extract<RpcEnvelope, { kind: 'reply' }>;
    try {
      if (!handler) throw new GatewayError('NOT_FOUND', { message: `no cluster method ${request.method}` });
      reply = { kind: 'reply', id: message.id, ok: true, result: await handler(request.payload, request.from) };
    } catch (err) {
      const e = GatewayError.from(err);
      if (e.code === 'INTERNAL') this.deps.logger.error({ err, method: message.method }, 'cluster request failed');
      reply = { kind: 'reply', id: message.id, ok: false, error: { code: e.code, message: e.message } };
    }
    await this.deps.bus
      .publish(`instance:${message.from}`, reply)
      .catch((err: unknown) => this.deps.logger.error({ err }, 'cluster reply not sent'));
  }
}
