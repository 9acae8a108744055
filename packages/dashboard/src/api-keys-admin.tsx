import { useState } from 'preact/hooks';
import {
  type AdminContext,
  branchName,
  companyName,
  ErrorAlert,
  errorText,
  Notice,
  ROLE_LABELS,
  ROLE_ORDER,
  StatusBadge,
  useList,
} from './admin-common.js';
import { api } from './api.js';
import { ApiKeyForm, type NewApiKey } from './api-key-form.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { ago, time } from './format.js';
import { SecretDialog } from './secret-dialog.js';
import type { ApiKeyView } from './types.js';

/** API keys of POS servers and integrations: created (the key shown once), listed, revoked. */
export function ApiKeysAdmin(ctx: AdminContext) {
  const { user, branches, companies } = ctx;
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const list = useList(
    () =>
      api<{ apiKeys: ApiKeyView[] }>('GET', `/admin/api-keys${includeRevoked ? '?includeRevoked=true' : ''}`).then(
        (r) => r.apiKeys,
      ),
    [includeRevoked],
  );
  const [error, setError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [asking, setAsking] = useState<ApiKeyView | undefined>();
  const [created, setCreated] = useState<{ key: string; name: string } | undefined>();
  // Keys of a higher role than the user's own are theirs to see, not to revoke (docs/credentials.md).
  const mayRevoke = (k: ApiKeyView) => ROLE_ORDER.indexOf(k.role) >= ROLE_ORDER.indexOf(user.role);

  const create = async (request: NewApiKey): Promise<boolean> => {
    setError(undefined);
    setNotice(undefined);
    try {
      const r = await api<{ apiKey: ApiKeyView; key: string }>('POST', '/admin/api-keys', request);
      setCreated({ key: r.key, name: r.apiKey.name });
      await list.reload();
      setNotice(`API key ${r.apiKey.prefix} created.`);
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    }
  };

  const revoke = async (key: ApiKeyView) => {
    setAsking(undefined);
    setError(undefined);
    setNotice(undefined);
    try {
      await api('POST', `/admin/api-keys/${encodeURIComponent(key.id)}/revoke`);
      await list.reload();
      setNotice(`API key ${key.prefix} (${key.name}) is revoked.`);
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <ErrorAlert error={error ?? list.error} />
      <Notice>{notice}</Notice>
      <ApiKeyForm ctx={ctx} onCreate={create} />
      <div class="filters">
        <label class="check">
          <input
            type="checkbox"
            checked={includeRevoked}
            onChange={(e) => setIncludeRevoked(e.currentTarget.checked)}
          />
          Show revoked keys
        </label>
      </div>
      <div class="card">
        {!list.items && !list.error && <p aria-busy="true">Loading…</p>}
        {list.items && list.items.length === 0 && <p class="muted">No API key yet.</p>}
        {list.items && list.items.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Role</th>
                <th scope="col">Scope</th>
                <th scope="col">Status</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((k) => (
                <tr key={k.id} data-api-key={k.name}>
                  <td>{k.name}</td>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td>{ROLE_LABELS[k.role]}</td>
                  <td>{k.branchId ? branchName(branches, k.branchId) : companyName(companies, k.companyId)}</td>
                  <td>
                    <StatusBadge status={k.status} />
                  </td>
                  <td>{k.expiresAt ? time(k.expiresAt) : 'never'}</td>
                  <td>{k.lastUsedAt ? ago(k.lastUsedAt) : <span class="muted">never</span>}</td>
                  <td>
                    {time(k.createdAt)} <span class="muted">by {k.createdBy}</span>
                  </td>
                  <td class="row-actions">
                    {k.status !== 'revoked' && mayRevoke(k) && (
                      <button type="button" onClick={() => setAsking(k)} aria-label={`Revoke ${k.name}`}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <ConfirmDialog
        open={asking !== undefined}
        title={`Revoke ${asking?.name ?? 'this key'}?`}
        body="Every request with this key is refused from now on, on every gateway process. This cannot be undone."
        confirmLabel="Revoke key"
        onConfirm={() => asking && void revoke(asking)}
        onCancel={() => setAsking(undefined)}
      />
      <SecretDialog
        secret={created?.key}
        title={`API key "${created?.name ?? ''}"`}
        label="API key"
        use="Send it with every request as the header X-API-Key (or Authorization: Bearer)."
        onClose={() => setCreated(undefined)}
      />
    </section>
  );
}
