import { performance } from 'node:perf_hooks';
import type { Agent } from 'undici';
import type { WebhookRequest, WebhookResponse, WebhookSender } from '../core/ports/webhook-sender.js';
import { guardedLookup, type HostResolver, urlRefusal } from './webhook-url-guard.js';

/** Bytes of an answer read at most; the rest is not read (the connection is closed instead). */
export const MAX_RESPONSE_READ_BYTES = 4096;
/** Characters of the answer kept in the delivery log. */
export const RESPONSE_SNIPPET_CHARS = 1024;

export interface HttpWebhookSenderOptions {
  /** The whole request, from connecting to the end of what is read of the answer, ms. */
  timeoutMs: number;
  /** Allow private, loopback and other internal targets (PRINTERMASTER_WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  resolve?: HostResolver;
}

/**
 * Webhook requests over undici, on an Agent whose sockets connect only to addresses the guard
 * checked (guardedLookup); IP literals are checked before the request. No redirects are
 * followed (a 3xx is a failed attempt), and answers are read up to MAX_RESPONSE_READ_BYTES.
 */
export class HttpWebhookSender implements WebhookSender {
  /** Made at the first request: undici is a tenth of a second of a start, and most gateways have no webhooks. */
  private client: Promise<{ agent: Agent; request: typeof import('undici').request }> | undefined;
  private readonly timeoutMs: number;
  private readonly allowPrivate: boolean;

  constructor(private readonly options: HttpWebhookSenderOptions) {
    this.timeoutMs = options.timeoutMs;
    this.allowPrivate = options.allowPrivate;
  }

  private undici() {
    this.client ??= import('undici').then(({ Agent, request }) => ({
      request,
      agent: new Agent({
        connect: {
          lookup: guardedLookup(this.options.allowPrivate, this.options.resolve),
          timeout: this.options.timeoutMs,
        },
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
        keepAliveTimeout: 4_000,
      }),
    }));
    return this.client;
  }

  async send(req: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return failure('refused: not a valid URL', 0);
    }
    const refusal = urlRefusal(url, req.url, this.allowPrivate);
    if (refusal) return failure(`refused: ${refusal}`, 0);
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const { agent, request } = await this.undici();
      const res = await request(url, {
        method: 'POST',
        headers: req.headers,
        body: req.body,
        dispatcher: agent,
        signal,
      });
      const snippet = await readSnippet(res.body);
      return { statusCode: res.statusCode, latencyMs: elapsed(), error: null, responseSnippet: snippet };
    } catch (err) {
      return failure(describe(err, signal, this.timeoutMs), elapsed());
    }
  }

  /** Closes the pooled connections. */
  async close(): Promise<void> {
    if (this.client) await (await this.client).agent.destroy();
  }
}

function failure(error: string, latencyMs: number): WebhookResponse {
  return { statusCode: null, latencyMs, error, responseSnippet: null };
}

/** The start of a body as text; stops reading (and drops the connection) past the limit. */
async function readSnippet(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= MAX_RESPONSE_READ_BYTES) {
      body.destroy();
      break;
    }
  }
  if (size === 0) return null;
  return Buffer.concat(chunks).subarray(0, MAX_RESPONSE_READ_BYTES).toString('utf8').slice(0, RESPONSE_SNIPPET_CHARS);
}

/** A short reason for the delivery log. */
function describe(err: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted) return `timeout after ${timeoutMs} ms`;
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const inner = e.cause ?? e;
  if (inner.code === 'WEBHOOK_TARGET_REFUSED' || e.code === 'WEBHOOK_TARGET_REFUSED') {
    return `refused: ${inner.code === 'WEBHOOK_TARGET_REFUSED' ? inner.message : e.message}`;
  }
  if (
    e.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    e.code === 'UND_ERR_BODY_TIMEOUT' ||
    e.code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return `timeout after ${timeoutMs} ms`;
  }
  const code = inner.code ?? e.code;
  return `${code ? `${code}: ` : ''}${inner.message ?? e.message ?? String(err)}`.slice(0, 500);
}
