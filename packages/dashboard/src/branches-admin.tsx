import { useEffect, useRef, useState } from 'preact/hooks';
import {
  type AdminContext,
  ChoiceField,
  companyName,
  ErrorAlert,
  errorText,
  Field,
  managesBranches,
  Notice,
  StatusBadge,
} from './admin-common.js';
import { api } from './api.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { time } from './format.js';
import type { Branch } from './types.js';

const NAME_MAX = 128;

function nameProblem(name: string): string | undefined {
  if (!name.trim()) return 'Give the branch a name.';
  if (name.length > NAME_MAX) return `At most ${NAME_MAX} characters.`;
  return undefined;
}

/** The branches the user sees; owners and platform admins create, rename, deactivate and activate them. */
export function BranchesAdmin(ctx: AdminContext) {
  const { user, branches, companies, reloadBranches } = ctx;
  const manages = managesBranches(user.role);
  const [error, setError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [renaming, setRenaming] = useState<string | undefined>();
  const [asking, setAsking] = useState<Branch | undefined>();

  const run = async (what: () => Promise<string>) => {
    setError(undefined);
    setNotice(undefined);
    try {
      const done = await what();
      await reloadBranches();
      setNotice(done);
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    }
  };

  const toggle = (branch: Branch) => {
    setAsking(undefined);
    const action = branch.status === 'active' ? 'deactivate' : 'activate';
    void run(async () => {
      await api('POST', `/admin/branches/${encodeURIComponent(branch.id)}/${action}`);
      return `${branch.name} is ${action === 'deactivate' ? 'deactivated' : 'active again'}.`;
    });
  };

  return (
    <section aria-labelledby="branches-title">
      <h2 id="branches-title">Branches</h2>
      <ErrorAlert error={error} />
      <Notice>{notice}</Notice>
      {manages && (
        <NewBranchForm
          ctx={ctx}
          onCreate={(companyId, name) =>
            run(async () => {
              const r = await api<{ branch: Branch }>('POST', '/admin/branches', {
                name: name.trim(),
                ...(companyId ? { companyId } : {}),
              });
              return `Branch ${r.branch.name} created.`;
            })
          }
        />
      )}
      <div class="card">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Id</th>
              <th scope="col">Company</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              {manages && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {branches.map((b) => (
              <tr key={b.id} data-branch-row={b.name}>
                <td>
                  {renaming === b.id ? (
                    <RenameForm
                      branch={b}
                      onCancel={() => setRenaming(undefined)}
                      onSave={async (name) => {
                        const ok = await run(async () => {
                          await api('PATCH', `/admin/branches/${encodeURIComponent(b.id)}`, { name: name.trim() });
                          return `Renamed to ${name.trim()}.`;
                        });
                        if (ok) setRenaming(undefined);
                      }}
                    />
                  ) : (
                    b.name
                  )}
                </td>
                <td>
                  <code>{b.id}</code>
                </td>
                <td>{companyName(companies, b.companyId)}</td>
                <td>
                  <StatusBadge status={b.status} label={b.status === 'suspended' ? 'deactivated' : 'active'} />
                </td>
                <td>{time(b.createdAt)}</td>
                {manages && (
                  <td class="row-actions">
                    {renaming !== b.id && (
                      <button type="button" onClick={() => setRenaming(b.id)} aria-label={`Rename ${b.name}`}>
                        Rename
                      </button>
                    )}
                    <button
                      type="button"
                      onClick={() => setAsking(b)}
                      aria-label={`${b.status === 'active' ? 'Deactivate' : 'Activate'} ${b.name}`}
                    >
                      {b.status === 'active' ? 'Deactivate' : 'Activate'}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
        {branches.length === 0 && <p class="muted">No branch yet.</p>}
      </div>
      <ConfirmDialog
        open={asking !== undefined}
        title={asking?.status === 'active' ? `Deactivate ${asking.name}?` : `Activate ${asking?.name ?? ''}?`}
        body={
          asking?.status === 'active'
            ? 'Its agents are disconnected and refused, and its print jobs are refused, until it is activated again. Licences, printers and agents are kept.'
            : 'Its agents may connect again and its print jobs are accepted.'
        }
        confirmLabel={asking?.status === 'active' ? 'Deactivate' : 'Activate'}
        onConfirm={() => asking && toggle(asking)}
        onCancel={() => setAsking(undefined)}
      />
    </section>
  );
}

function NewBranchForm({
  ctx,
  onCreate,
}: {
  ctx: AdminContext;
  onCreate: (companyId: string, name: string) => Promise<boolean>;
}) {
  const platform = ctx.user.role === 'super_admin';
  const [name, setName] = useState('');
  const [companyId, setCompanyId] = useState('');
  const [problems, setProblems] = useState<{ name?: string; company?: string }>({});
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const found = {
      ...(nameProblem(name) ? { name: nameProblem(name) } : {}),
      ...(platform && !companyId ? { company: 'Choose the company the branch belongs to.' } : {}),
    };
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    if (await onCreate(platform ? companyId : '', name)) setName('');
    setBusy(false);
  };

  return (
    <form class="admin-form card" onSubmit={submit} noValidate aria-labelledby="new-branch-title">
      <h3 id="new-branch-title">New branch</h3>
      <div class="form-row">
        {platform && (
          <ChoiceField
            id="new-branch-company"
            label="Company"
            error={problems.company}
            value={companyId}
            onChange={setCompanyId}
            choices={ctx.companies}
            empty="Choose…"
          />
        )}
        <Field id="new-branch-name" label="Name" error={problems.name}>
          {(attrs) => (
            <input
              {...attrs}
              value={name}
              maxLength={NAME_MAX}
              required
              onInput={(e) => setName(e.currentTarget.value)}
            />
          )}
        </Field>
        <button type="submit" class="primary" disabled={busy}>
          Create branch
        </button>
      </div>
    </form>
  );
}

function RenameForm(props: { branch: Branch; onSave: (name: string) => Promise<void>; onCancel: () => void }) {
  const [name, setName] = useState(props.branch.name);
  const [problem, setProblem] = useState<string | undefined>();
  const id = `rename-${props.branch.id}`;
  // The rename button was pressed to type a name: the field takes the focus.
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => field.current?.focus(), []);
  return (
    <form
      class="inline-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const p = nameProblem(name);
        setProblem(p);
        if (!p) void props.onSave(name);
      }}
      onKeyDown={(e) => e.key === 'Escape' && props.onCancel()}
    >
      <Field id={id} label={`New name for ${props.branch.name}`} error={problem}>
        {(attrs) => (
          <input
            {...attrs}
            ref={field}
            value={name}
            maxLength={NAME_MAX}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        )}
      </Field>
      <button type="submit" class="primary">
        Save
      </button>
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </form>
  );
}
