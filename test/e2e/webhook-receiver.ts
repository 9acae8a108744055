import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One delivery as the receiver saw it. */
export interface ReceivedDelivery {
  eventId: string;
  type: string;
  subjectId: string | undefined;
  body: Record<string, unknown>;
  signatureValid: boolean;
  receivedAt: number;
}

/**
 * A platform's webhook endpoint on 127.0.0.1: it checks each delivery's signature the way
 * docs/webhooks.md tells a receiver to (written here from that recipe, not from the gateway's
 * code), records it, and answers 204. It can be taken down and brought back on the same port.
 */
export class WebhookReceiver {
  readonly deliveries: ReceivedDelivery[] = [];
  port = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  secrets: string[] = [];

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/printermaster`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      void readBody(req).then((raw) => {
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          res.writeHead(400).end();
          return;
        }
        const data = (body.data ?? {}) as Record<string, unknown>;
        this.deliveries.push({
          eventId: String(body.id),
          type: String(body.type),
          subjectId: subjectOf(String(body.type), data),
          body,
          signatureValid: verify(req.headers['printermaster-signature'], raw, this.secrets),
          receivedAt: Date.now(),
        });
        res.writeHead(204).end();
      });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Down: refuses connections (and drops open ones) until `start` again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function subjectOf(type: string, data: Record<string, unknown>): string | undefined {
  const key = type.startsWith('job.') ? 'jobId' : type.startsWith('printer.') ? 'printerId' : 'deviceId';
  const v = data[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * The documented recipe: `PrinterMaster-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]`, each v1
 * an HMAC-SHA256 of `<t>.<raw body>` under one of the endpoint's secrets; within 5 minutes.
 */
function verify(header: string | string[] | undefined, raw: string, secrets: string[]): boolean {
  if (typeof header !== 'string') return false;
  const parts = header.split(',').map((p) => p.trim().split('=') as [string, string]);
  const t = parts.find(([k]) => k === 't')?.[1];
  if (!t || Math.abs(Date.now() / 1000 - Number(t)) > 300) return false;
  const given = parts.filter(([k]) => k === 'v1').map(([, v]) => Buffer.from(v, 'hex'));
  return secrets.some((secret) => {
    const expected = createHmac('sha256', secret).update(`${t}.${raw}`).digest();
    return given.some((g) => g.length === expected.length && timingSafeEqual(g, expected));
  });
}
