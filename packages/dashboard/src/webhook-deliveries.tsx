import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import {
  type AdminContext,
  branchName,
  ErrorAlert,
  errorText,
  managesWebhooks,
  Notice,
  StatusBadge,
} from './admin-common.js';
import { api, query } from './api.js';
import { time } from './format.js';
import { adminHref } from './route.js';
import type { WebhookDeliveryView, WebhookView } from './types.js';
import { pingWebhook } from './webhook-ping.js';

const PAGE = 20;
type StateFilter = '' | WebhookDeliveryView['state'];

interface Page {
  deliveries: WebhookDeliveryView[];
  nextCursor: string | null;
}

/** One endpoint's delivery log, newest first, page by page; failed deliveries can be sent again. */
export function WebhookDeliveries({ id, ...ctx }: AdminContext & { id: string }) {
  const manages = managesWebhooks(ctx.user.role);
  const [webhook, setWebhook] = useState<WebhookView | undefined>();
  const [state, setState] = useState<StateFilter>('');
  const [log, setLog] = useState<Page | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [reloading, setReloading] = useState(false);
  // Each load of the first page is numbered: a response that a newer load or an older page has
  // overtaken is dropped, so a slow Refresh never replaces what was loaded after it.
  const generation = useRef(0);

  const path = `/admin/webhooks/${encodeURIComponent(id)}`;
  const page = (cursor?: string) =>
    api<Page>('GET', `${path}/deliveries${query({ limit: String(PAGE), state, cursor })}`);

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setReloading(true);
    try {
      const [w, first] = await Promise.all([api<{ webhook: WebhookView }>('GET', path), page()]);
      if (mine !== generation.current) return;
      setWebhook(w.webhook);
      setLog(first);
      setError(undefined);
    } catch (err) {
      if (mine === generation.current) setError(errorText(err));
    } finally {
      if (mine === generation.current) setReloading(false);
    }
  }, [path, state]);
  useEffect(() => {
    setLog(undefined);
    void reload();
  }, [reload]);

  const more = async () => {
    if (!log?.nextCursor) return;
    setBusy(true);
    const mine = generation.current;
    try {
      const next = await page(log.nextCursor);
      // The list it extends was replaced meanwhile (Refresh, a filter): this page belongs to the old one.
      if (mine !== generation.current) return;
      setLog({ deliveries: [...log.deliveries, ...next.deliveries], nextCursor: next.nextCursor });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const act = async (what: () => Promise<string>) => {
    setError(undefined);
    setNotice(undefined);
    try {
      const done = await what();
      await reload();
      setNotice(done);
    } catch (err) {
      setError(errorText(err));
    }
  };
  const redeliver = (d: WebhookDeliveryView) =>
    act(async () => {
      await api('POST', `${path}/deliveries/${encodeURIComponent(d.id)}/redeliver`);
      return `${d.eventType} (${d.eventId}) is queued to be sent again.`;
    });
  const ping = () =>
    act(async () => {
      const outcome = await pingWebhook(id);
      if (!outcome.delivered) throw new Error(outcome.text);
      return outcome.text;
    });

  return (
    <section aria-labelledby="deliveries-title">
      <p>
        <a href={adminHref('webhooks')}>← All endpoints</a>
      </p>
      <h2 id="deliveries-title">Deliveries{webhook ? ` to ${webhook.url}` : ''}</h2>
      {webhook && (
        <p class="summary">
          <StatusBadge status={webhook.status} /> {branchName(ctx.branches, webhook.branchId)} · events{' '}
          {webhook.events.join(', ')} · {webhook.consecutiveFailures} failures in a row
          {webhook.disabledReason ? ` · ${webhook.disabledReason}` : ''}
        </p>
      )}
      <ErrorAlert error={error} />
      <Notice>{notice}</Notice>
      <div class="filters">
        <label>
          State
          <select value={state} onChange={(e) => setState(e.currentTarget.value as StateFilter)}>
            <option value="">all</option>
            <option value="pending">pending</option>
            <option value="delivered">delivered</option>
            <option value="failed">failed</option>
          </select>
        </label>
        <button type="button" onClick={() => void reload()}>
          Refresh
        </button>
        {manages && (
          <button type="button" onClick={() => void ping()}>
            Ping
          </button>
        )}
      </div>
      <div class="card">
        {!log && !error && <p aria-busy="true">Loading…</p>}
        {log && log.deliveries.length === 0 && (
          <p class="muted">
            No delivery yet: events of the endpoint's types appear here as they happen (pings are not kept).
          </p>
        )}
        {log && log.deliveries.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">State</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last status</th>
                <th scope="col">Latency</th>
                <th scope="col">Error</th>
                <th scope="col">Times</th>
                {manages && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {log.deliveries.map((d) => (
                <DeliveryRow key={d.id} delivery={d} onRedeliver={manages ? () => void redeliver(d) : undefined} />
              ))}
            </tbody>
          </table>
        )}
        {log?.nextCursor && (
          <div class="actions">
            <button type="button" disabled={busy || reloading} onClick={() => void more()}>
              Load older deliveries
            </button>
          </div>
        )}
      </div>
    </section>
  );
}

function DeliveryRow({ delivery: d, onRedeliver }: { delivery: WebhookDeliveryView; onRedeliver?: () => void }) {
  const last = d.attemptLog.reduce<WebhookDeliveryView['attemptLog'][number] | undefined>(
    (a, b) => (!a || b.attempt >= a.attempt ? b : a),
    undefined,
  );
  return (
    <tr data-delivery={d.eventType}>
      <td>
        {d.eventType}
        <div class="muted">
          <code>{d.eventId}</code>
        </div>
      </td>
      <td>
        <StatusBadge status={d.state} />
      </td>
      <td>{d.attempts}</td>
      <td data-testid="delivery-status-code">{last?.statusCode ?? '—'}</td>
      <td>{last ? `${last.latencyMs} ms` : '—'}</td>
      <td class="error-cell">{last?.error ?? ''}</td>
      <td class="times">
        <div>created {time(d.createdAt)}</div>
        {d.deliveredAt && <div>delivered {time(d.deliveredAt)}</div>}
        {!d.deliveredAt && last && <div>last tried {time(last.at)}</div>}
        {d.nextAttemptAt && <div>next try {time(d.nextAttemptAt)}</div>}
      </td>
      {onRedeliver && (
        <td class="row-actions">
          {d.state === 'failed' && (
            <button type="button" onClick={onRedeliver} aria-label={`Redeliver ${d.eventType} ${d.eventId}`}>
              Redeliver
            </button>
          )}
        </td>
      )}
    </tr>
  );
}
