import { useState } from 'preact/hooks';
import { type AdminContext, branchName, ErrorAlert, errorText, Notice, StatusBadge, useList } from './admin-common.js';
import { api, query } from './api.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { ago, time } from './format.js';
import { LicenceIssueForm, type NewLicence } from './licence-issue-form.js';
import { SecretDialog } from './secret-dialog.js';
import type { LicenceView } from './types.js';

type Action = 'revoke' | 'suspend' | 'activate' | 'rotate' | 'unbind';

const QUESTIONS: Record<Action, { title: string; body: string; confirm: string }> = {
  revoke: {
    title: 'Revoke this licence?',
    body: 'Its agents are disconnected at once and refused from now on. This cannot be undone: a revoked licence is replaced by a new one.',
    confirm: 'Revoke licence',
  },
  suspend: {
    title: 'Suspend this licence?',
    body: 'Its agents are disconnected and refused until the licence is activated again.',
    confirm: 'Suspend',
  },
  activate: { title: 'Activate this licence?', body: 'Its agents may connect again.', confirm: 'Activate' },
  rotate: {
    title: 'Give this licence a new key?',
    body: 'The new key is shown once. The current key keeps working for 24 hours, so that its agents can be given the new one meanwhile.',
    confirm: 'Rotate key',
  },
  unbind: {
    title: 'Unbind this licence?',
    body: 'Any device of the branch may use it again.',
    confirm: 'Unbind',
  },
};

/** Agent licences per branch: issued (the key shown once), suspended, activated, rotated, unbound, revoked. */
export function LicencesAdmin(ctx: AdminContext) {
  const { branches } = ctx;
  const [branchId, setBranchId] = useState('');
  const list = useList(
    () => api<{ licences: LicenceView[] }>('GET', `/admin/licences${query({ branchId })}`).then((r) => r.licences),
    [branchId],
  );
  const [error, setError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [asking, setAsking] = useState<{ licence: LicenceView; action: Action } | undefined>();
  const [shown, setShown] = useState<{ key: string; title: string } | undefined>();

  const issue = async (request: NewLicence): Promise<boolean> => {
    setError(undefined);
    setNotice(undefined);
    try {
      const r = await api<{ licence: LicenceView; licenceKey: string }>('POST', '/admin/licences', request);
      setShown({ key: r.licenceKey, title: `Licence key for ${branchName(branches, r.licence.branchId)}` });
      await list.reload();
      setNotice(`Licence …${r.licence.keyHint} issued.`);
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    }
  };

  const act = async (licence: LicenceView, action: Action) => {
    setAsking(undefined);
    setError(undefined);
    setNotice(undefined);
    try {
      const path = `/admin/licences/${encodeURIComponent(licence.id)}/${action}`;
      let done: string;
      if (action === 'rotate') {
        const r = await api<{ licence: LicenceView; licenceKey: string }>('POST', path, {});
        setShown({ key: r.licenceKey, title: `New key for licence …${licence.keyHint}` });
        done = `Licence rotated: its key now ends …${r.licence.keyHint}.`;
      } else {
        const r = await api<{ licence: LicenceView }>('POST', path);
        done = `Licence …${r.licence.keyHint} is ${r.licence.status}${action === 'unbind' ? ' and unbound' : ''}.`;
      }
      await list.reload();
      setNotice(done);
    } catch (err) {
      setError(errorText(err));
    }
  };

  const question = asking && QUESTIONS[asking.action];
  return (
    <section aria-labelledby="licences-title">
      <h2 id="licences-title">Licences</h2>
      <ErrorAlert error={error ?? list.error} />
      <Notice>{notice}</Notice>
      <LicenceIssueForm branches={branches} defaultBranchId={branchId} onIssue={issue} />
      <div class="filters">
        <label>
          Show the licences of
          <select value={branchId} onChange={(e) => setBranchId(e.currentTarget.value)}>
            <option value="">every branch</option>
            {branches.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div class="card">
        {!list.items && !list.error && <p aria-busy="true">Loading…</p>}
        {list.items && list.items.length === 0 && <p class="muted">No licence here yet.</p>}
        {list.items && list.items.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Branch</th>
                <th scope="col">Status</th>
                <th scope="col">Bound device</th>
                <th scope="col">Expires</th>
                <th scope="col">Last validated</th>
                <th scope="col">Max printers</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((l) => (
                <LicenceRow
                  key={l.id}
                  licence={l}
                  branch={branchName(branches, l.branchId)}
                  onAsk={(action) => setAsking({ licence: l, action })}
                />
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
        onConfirm={() => asking && void act(asking.licence, asking.action)}
        onCancel={() => setAsking(undefined)}
      />
      <SecretDialog
        secret={shown?.key}
        title={shown?.title ?? ''}
        label="Licence key"
        use="Give it to the branch's agent: printermaster agent --license <key>."
        onClose={() => setShown(undefined)}
      />
    </section>
  );
}

function LicenceRow(props: { licence: LicenceView; branch: string; onAsk: (action: Action) => void }) {
  const l = props.licence;
  const name = `licence …${l.keyHint}`;
  const button = (action: Action, label: string) => (
    <button type="button" onClick={() => props.onAsk(action)} aria-label={`${label} ${name}`}>
      {label}
    </button>
  );
  return (
    <tr data-licence={l.keyHint}>
      <td>
        <code class="key-hint">…{l.keyHint}</code>
        {l.previousKeyValidUntil && <div class="muted">previous key valid until {time(l.previousKeyValidUntil)}</div>}
      </td>
      <td>{props.branch}</td>
      <td>
        <StatusBadge status={l.status} />
      </td>
      <td>{l.boundDeviceId ?? <span class="muted">none</span>}</td>
      <td>{l.expiresAt ? time(l.expiresAt) : 'never'}</td>
      <td>{l.lastValidatedAt ? ago(l.lastValidatedAt) : <span class="muted">never</span>}</td>
      <td>{l.maxPrinters}</td>
      <td class="row-actions">
        {l.status === 'active' && button('suspend', 'Suspend')}
        {l.status === 'suspended' && button('activate', 'Activate')}
        {(l.status === 'active' || l.status === 'suspended') && button('rotate', 'Rotate key')}
        {l.boundDeviceId && l.status !== 'revoked' && button('unbind', 'Unbind')}
        {l.status !== 'revoked' && button('revoke', 'Revoke')}
      </td>
    </tr>
  );
}
