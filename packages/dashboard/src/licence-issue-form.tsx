import { useEffect, useState } from 'preact/hooks';
import { ChoiceField, endOfDay, Field, today } from './admin-common.js';
import type { Branch } from './types.js';

/** The body of `POST /admin/licences` (docs/admin-api.md#licences). */
export interface NewLicence {
  branchId: string;
  maxPrinters: number;
  expiresAt?: string;
  boundDeviceId?: string;
}

interface Problems {
  branch?: string;
  maxPrinters?: string;
  expires?: string;
  device?: string;
}

/** Issues a licence for a branch: how many printers, until when, and optionally for one device. */
export function LicenceIssueForm(props: {
  branches: Branch[];
  defaultBranchId: string;
  onIssue: (request: NewLicence) => Promise<boolean>;
}) {
  const [branchId, setBranchId] = useState(props.defaultBranchId);
  const [maxPrinters, setMaxPrinters] = useState('10');
  const [expires, setExpires] = useState('');
  const [device, setDevice] = useState('');
  const [problems, setProblems] = useState<Problems>({});
  const [busy, setBusy] = useState(false);
  // A branch manager has one branch: it is chosen for them.
  const only = props.branches.length === 1 ? props.branches[0]?.id : undefined;
  useEffect(() => setBranchId(props.defaultBranchId || only || ''), [props.defaultBranchId, only]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const found: Problems = {};
    if (!branchId) found.branch = 'Choose the branch the licence is for.';
    const max = Number(maxPrinters);
    if (!/^\d+$/.test(maxPrinters.trim()) || max > 100_000) found.maxPrinters = 'A whole number from 0 to 100000.';
    const expiresAt = endOfDay(expires);
    if (expires && (!expiresAt || Date.parse(expiresAt) <= Date.now())) found.expires = 'A day from today on.';
    if (device.length > 128) found.device = 'At most 128 characters.';
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const ok = await props.onIssue({
      branchId,
      maxPrinters: max,
      ...(expiresAt ? { expiresAt } : {}),
      ...(device.trim() ? { boundDeviceId: device.trim() } : {}),
    });
    setBusy(false);
    if (ok) {
      setExpires('');
      setDevice('');
    }
  };

  return (
    <form class="admin-form card" onSubmit={submit} noValidate aria-labelledby="issue-licence-title">
      <h3 id="issue-licence-title">Issue a licence</h3>
      <div class="form-row">
        <ChoiceField
          id="licence-branch"
          label="Branch"
          error={problems.branch}
          value={branchId}
          onChange={setBranchId}
          choices={props.branches}
          empty="Choose…"
        />
        <Field id="licence-max" label="Max printers" error={problems.maxPrinters}>
          {(attrs) => (
            <input
              {...attrs}
              type="number"
              min={0}
              max={100000}
              step={1}
              inputMode="numeric"
              value={maxPrinters}
              onInput={(e) => setMaxPrinters(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field
          id="licence-expires"
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
        <Field
          id="licence-device"
          label="Only for device (optional)"
          hint="Else any device of the branch may use it"
          error={problems.device}
        >
          {(attrs) => (
            <input {...attrs} value={device} maxLength={128} onInput={(e) => setDevice(e.currentTarget.value)} />
          )}
        </Field>
        <button type="submit" class="primary" disabled={busy}>
          Issue licence
        </button>
      </div>
    </form>
  );
}
