import { useState } from 'preact/hooks';
import {
  type AdminContext,
  branchName,
  ErrorAlert,
  errorText,
  managesWebhooks,
  Notice,
  StatusBadge,
  useList,
} from './admin-common.js';
import { api } from './api.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { ago } from './format.js';
import { adminHref } from './route.js';
import { SecretDialog } from './secret-dialog.js';
import type { WebhookView } from './types.js';
import { type NewWebhook, WebhookForm } from './webhook-form.js';
import { pingWebhook } from './webhook-ping.js';

type Asking = { webhook: WebhookView; action: 'disable' | 'delete' | 'rotate' };

const QUESTIONS: Record<Asking['action'], { title: string; body: string; confirm: string }> = {
  disable: {
    title: 'Disable this endpoint?',
    body: 'Nothing is sent to it until it is enabled again; its events wait, pending, meanwhile.',
    confirm: 'Disable',
  },
  delete: {
    title: 'Delete this endpoint?',
    body: 'It gets no more events. Its pending deliveries and its delivery log are deleted with it. This cannot be undone.',
    confirm: 'Delete endpoint',
  },
  rotate: {
    title: 'Give this endpoint a new secret?',
    body: 'The new secret is shown once. The current one keeps signing deliveries beside it for 24 hours, so that the receiver can be given the new one meanwhile.',
    confirm: 'Rotate secret',
  },
};

/**
 * Webhook endpoints: owners and platform admins register them (the signing secret shown once),
 * ping, disable, enable and delete them; branch managers read their branch's. Each links to its
 * delivery log.
 */
export function WebhooksAdmin(ctx: AdminContext) {
  const { user, branches } = ctx;
  const manages = managesWebhooks(user.role);
  const list = useList(() => api<{ webhooks: WebhookView[] }>('GET', '/admin/webhooks').then((r) => r.webhooks), []);
  const [error, setError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [asking, setAsking] = useState<Asking | undefined>();
  const [secret, setSecret] = useState<{ value: string; url: string } | undefined>();

  const run = async (what: () => Promise<string | undefined>) => {
    setAsking(undefined);
    setError(undefined);
    setNotice(undefined);
    try {
      const done = await what();
      await list.reload();
      setNotice(done);
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    }
  };

  const create = (request: NewWebhook) =>
    run(async () => {
      const r = await api<{ webhook: WebhookView; secret: string }>('POST', '/admin/webhooks', request);
      setSecret({ value: r.secret, url: r.webhook.url });
      return `Endpoint ${r.webhook.url} added.`;
    });

  const ping = (w: WebhookView) =>
    run(async () => {
      const outcome = await pingWebhook(w.id);
      if (!outcome.delivered) throw new Error(outcome.text);
      return outcome.text;
    });

  const question = asking && QUESTIONS[asking.action];
  const path = (w: WebhookView, action = '') => `/admin/webhooks/${encodeURIComponent(w.id)}${action}`;
  const act = ({ webhook: w, action }: Asking) =>
    run(async () => {
      if (action === 'rotate') {
        const r = await api<{ secret: string }>('POST', path(w, '/rotate-secret'), {});
        setSecret({ value: r.secret, url: w.url });
        return `${w.url} has a new signing secret; the previous one also signs for 24 hours.`;
      }
      if (action === 'delete') await api('DELETE', path(w));
      else await api('POST', path(w, '/disable'));
      return `${w.url} is ${action === 'delete' ? 'deleted' : 'disabled'}.`;
    });
  const enable = (w: WebhookView) =>
    run(async () => {
      await api('POST', path(w, '/enable'));
      return `${w.url} is enabled again.`;
    });

  return (
    <section aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Webhooks</h2>
      <ErrorAlert error={error ?? list.error} />
      <Notice>{notice}</Notice>
      {manages ? (
        <WebhookForm ctx={ctx} onCreate={create} />
      ) : (
        <p class="muted">Your branch's endpoints and their deliveries. Only the company's owner sets them up.</p>
      )}
      <div class="card">
        {!list.items && !list.error && <p aria-busy="true">Loading…</p>}
        {list.items && list.items.length === 0 && <p class="muted">No endpoint yet.</p>}
        {list.items && list.items.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Events</th>
                <th scope="col">Branch</th>
                <th scope="col">Status</th>
                <th scope="col">Failures</th>
                {manages && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {list.items.map((w) => (
                <tr key={w.id} data-webhook={w.url}>
                  <td class="url-cell">
                    <a href={adminHref('webhooks', w.id)} aria-label={`Deliveries to ${w.url}`}>
                      {w.url}
                    </a>
                    {w.description && <div class="muted">{w.description}</div>}
                  </td>
                  <td>
                    {w.events.map((e) => (
                      <code key={e} class="pattern">
                        {e}
                      </code>
                    ))}
                  </td>
                  <td>{branchName(branches, w.branchId)}</td>
                  <td>
                    <StatusBadge status={w.status} />
                    {w.disabledReason && <div class="muted">{w.disabledReason}</div>}
                  </td>
                  <td>
                    {w.consecutiveFailures}
                    {w.failingSince && <div class="muted">since {ago(w.failingSince)}</div>}
                  </td>
                  {manages && (
                    <td class="row-actions">
                      <button type="button" onClick={() => void ping(w)} aria-label={`Ping ${w.url}`}>
                        Ping
                      </button>
                      {w.status === 'active' ? (
                        <button
                          type="button"
                          onClick={() => setAsking({ webhook: w, action: 'disable' })}
                          aria-label={`Disable ${w.url}`}
                        >
                          Disable
                        </button>
                      ) : (
                        <button type="button" onClick={() => void enable(w)} aria-label={`Enable ${w.url}`}>
                          Enable
                        </button>
                      )}
                      <button
                        type="button"
                        onClick={() => setAsking({ webhook: w, action: 'rotate' })}
                        aria-label={`Rotate secret of ${w.url}`}
                      >
                        Rotate secret
                      </button>
                      <button
                        type="button"
                        onClick={() => setAsking({ webhook: w, action: 'delete' })}
                        aria-label={`Delete ${w.url}`}
                      >
                        Delete
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <ConfirmDialog
        open={asking !== undefined}
        title={question?.title ?? ''}
        body={question?.body ?? ''}
        confirmLabel={question?.confirm ?? ''}
        onConfirm={() => asking && void act(asking)}
        onCancel={() => setAsking(undefined)}
      />
      <SecretDialog
        secret={secret?.value}
        title="Signing secret"
        label="Signing secret"
        kept="PrinterMaster keeps it to sign deliveries, but no page or answer shows it again."
        use={`The receiver at ${secret?.url ?? ''} checks each delivery's PrinterMaster-Signature header with it (docs/webhooks.md).`}
        onClose={() => setSecret(undefined)}
      />
    </section>
  );
}
