import { useEffect, useState } from 'preact/hooks';
import { ChoiceField, Field } from './admin-common.js';
import { PrinterOrder } from './printer-order.js';
import type { Branch, Printer } from './types.js';

/** The gateway's limit on a station's name. */
export const STATION_NAME_MAX = 64;

export interface NewStation {
  branchId: string;
  name: string;
  printerIds: string[];
}

/** What is wrong with a station's name or printers, in words; empty when nothing is. */
export function stationProblems(name: string, printerIds: string[]): { name?: string; printers?: string } {
  return {
    ...(name.trim() ? {} : { name: 'Give the station a name.' }),
    ...(printerIds.length > 0 ? {} : { printers: 'Add at least one printer.' }),
  };
}

/** A new station: its branch, name, and the branch's printers it sends to, in order. */
export function StationForm(props: {
  branches: Branch[];
  printers: Printer[];
  defaultBranchId: string;
  onCreate: (station: NewStation) => Promise<boolean>;
}) {
  const only = props.branches.length === 1 ? props.branches[0]?.id : undefined;
  const [branchId, setBranchId] = useState(props.defaultBranchId || only || '');
  const [name, setName] = useState('');
  const [printerIds, setPrinterIds] = useState<string[]>([]);
  const [problems, setProblems] = useState<{ name?: string; printers?: string; branch?: string }>({});
  const [busy, setBusy] = useState(false);

  // The list's branch filter suggests the branch; a branch of its own stays chosen.
  useEffect(() => {
    if (props.defaultBranchId) setBranchId(props.defaultBranchId);
  }, [props.defaultBranchId]);
  useEffect(() => {
    if (!branchId && only) setBranchId(only);
  }, [only, branchId]);

  const candidates = props.printers.filter((p) => p.branchId === branchId);
  const chooseBranch = (id: string) => {
    setBranchId(id);
    // Another branch's printers are refused (404 PRINTER_NOT_FOUND): the choice starts again.
    setPrinterIds([]);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const found = {
      ...stationProblems(name, printerIds),
      ...(branchId ? {} : { branch: 'Choose the branch of the station.' }),
    };
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    if (await props.onCreate({ branchId, name: name.trim(), printerIds })) {
      setName('');
      setPrinterIds([]);
    }
    setBusy(false);
  };

  return (
    <form class="admin-form card" onSubmit={submit} noValidate aria-labelledby="new-station-title">
      <h3 id="new-station-title">New station</h3>
      <div class="form-row">
        <ChoiceField
          id="new-station-branch"
          label="Branch"
          error={problems.branch}
          value={branchId}
          onChange={chooseBranch}
          choices={props.branches}
          empty="Choose…"
        />
        <Field id="new-station-name" label="Name" error={problems.name} hint="Grill, bar, expo…">
          {(attrs) => (
            <input
              {...attrs}
              value={name}
              maxLength={STATION_NAME_MAX}
              required
              onInput={(e) => setName(e.currentTarget.value)}
            />
          )}
        </Field>
      </div>
      {branchId && candidates.length === 0 && (
        <p class="muted">This branch has no printer yet: its agent lists them once it connects.</p>
      )}
      {branchId && (
        <PrinterOrder
          id="new-station-printers"
          printerIds={printerIds}
          candidates={candidates}
          printers={props.printers}
          error={problems.printers}
          onChange={setPrinterIds}
        />
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          Create station
        </button>
      </div>
    </form>
  );
}
