import { api } from './api.js';

/** What `POST /admin/webhooks/:id/ping` answers (docs/webhooks.md#delivery-log-redelivery-ping). */
export interface PingOutcome {
  delivered: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  responseSnippet: string | null;
  eventId: string;
}

/** Sends a test event now and says what came of it, in a sentence. */
export async function pingWebhook(id: string): Promise<{ delivered: boolean; text: string }> {
  const r = await api<PingOutcome>('POST', `/admin/webhooks/${encodeURIComponent(id)}/ping`);
  const answer = r.statusCode === null ? 'no answer' : `HTTP ${r.statusCode}`;
  const why = r.error ? `: ${r.error}` : '';
  return {
    delivered: r.delivered,
    text: r.delivered
      ? `Ping delivered: ${answer} in ${r.latencyMs} ms.`
      : `Ping not delivered: ${answer} after ${r.latencyMs} ms${why}.`,
  };
}
