import { useEffect, useState } from 'preact/hooks';
import { type AdminContext, ChoiceField, endOfDay, Field, grantableRoles, ROLE_LABELS, today } from './admin-common.js';
import type { Role } from './types.js';

/** The body of `POST /admin/api-keys` (docs/credentials.md#api-keys). */
export interface NewApiKey {
  name: string;
  role: Role;
  companyId?: string;
  branchId?: string;
  expiresAt?: string;
}

interface Problems {
  name?: string;
  company?: string;
  branch?: string;
  expires?: string;
}

const needsBranch = (role: Role) => role === 'branch_manager' || role === 'cashier';

/**
 * Creates an API key: a name, a role no higher than the user's own, the branch for branch roles
 * (or the company, for a platform admin's company-owner key), and an expiry.
 */
export function ApiKeyForm({
  ctx,
  onCreate,
}: {
  ctx: AdminContext;
  onCreate: (request: NewApiKey) => Promise<boolean>;
}) {
  const { user, branches, companies } = ctx;
  const roles = grantableRoles(user.role);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('cashier');
  const [branchId, setBranchId] = useState('');
  const [companyId, setCompanyId] = useState('');
  const [expires, setExpires] = useState('');
  const [problems, setProblems] = useState<Problems>({});
  const [busy, setBusy] = useState(false);
  const only = branches.length === 1 ? branches[0]?.id : undefined;
  useEffect(() => setBranchId((b) => b || only || ''), [only]);
  // A platform admin's company-owner key names its company; a company owner's is its own.
  const asksCompany = user.role === 'super_admin' && role === 'company_owner';

  const submit = async (e: Event) => {
    e.preventDefault();
    const found: Problems = {};
    if (!name.trim()) found.name = 'Say what the key is for, e.g. "POS server, Main St".';
    else if (name.length > 128) found.name = 'At most 128 characters.';
    if (needsBranch(role) && !branchId) found.branch = 'Choose the branch the key acts for.';
    if (asksCompany && !companyId) found.company = 'Choose the company the key acts for.';
    const expiresAt = endOfDay(expires);
    if (expires && (!expiresAt || Date.parse(expiresAt) <= Date.now())) found.expires = 'A day from today on.';
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const ok = await onCreate({
      name: name.trim(),
      role,
      ...(needsBranch(role) ? { branchId } : {}),
      ...(asksCompany ? { companyId } : {}),
      ...(expiresAt ? { expiresAt } : {}),
    });
    setBusy(false);
    if (ok) {
      setName('');
      setExpires('');
    }
  };

  return (
    <form class="admin-form card" onSubmit={submit} noValidate aria-labelledby="new-key-title">
      <h3 id="new-key-title">New API key</h3>
      <div class="form-row">
        <Field id="key-name" label="Name" hint="What it is for" error={problems.name}>
          {(attrs) => <input {...attrs} value={name} maxLength={128} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <Field id="key-role" label="Role">
          {(attrs) => (
            <select {...attrs} value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABELS[r]}
                </option>
              ))}
            </select>
          )}
        </Field>
        {needsBranch(role) && (
          <ChoiceField
            id="key-branch"
            label="Branch"
            error={problems.branch}
            value={branchId}
            onChange={setBranchId}
            choices={branches}
            empty="Choose…"
          />
        )}
        {asksCompany && (
          <ChoiceField
            id="key-company"
            label="Company"
            error={problems.company}
            value={companyId}
            onChange={setCompanyId}
            choices={companies}
            empty="Choose…"
          />
        )}
        <Field
          id="key-expires"
          label="Expires (optional)"
          hint="Valid through that day; empty: never"
          error={problems.expires}
        >
          {(attrs) => (
            <input
              {...attrs}
              type="date"
              min={today()}
              value={expires}
              onInput={(e) => setExpires(e.currentTarget.value)}
            />
          )}
        </Field>
        <button type="submit" class="primary" disabled={busy}>
          Create key
        </button>
      </div>
    </form>
  );
}
