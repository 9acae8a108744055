import { useState } from 'preact/hooks';
import { type AdminContext, branchName, ErrorAlert, errorText, Notice, useList } from './admin-common.js';
import { api, query } from './api.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { StationCard, type StationChanges } from './station-card.js';
import { type NewStation, StationForm } from './station-form.js';
import type { Printer, Role, StationView } from './types.js';
import './stations.css';

/** Whether `role` may create, change and delete stations (docs/api.md#stations): managers and up. */
export function managesStations(role: Role): boolean {
  return role === 'super_admin' || role === 'company_owner' || role === 'branch_manager';
}

/**
 * A branch's stations and their ordered printers, each with its live status (from the fleet,
 * which the live socket keeps current), so that one sees which printer a station's tickets go to
 * now. Managers create, rename, reorder and delete them; the gateway checks their branch.
 */
export function StationsAdmin(props: AdminContext & { printers: Printer[] }) {
  const { user, branches, printers } = props;
  const manages = managesStations(user.role);
  const [branchId, setBranchId] = useState('');
  const list = useList(
    () => api<{ stations: StationView[] }>('GET', `/printing/stations${query({ branchId })}`).then((r) => r.stations),
    [branchId],
  );
  const [error, setError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [deleting, setDeleting] = useState<StationView | undefined>();

  const run = async (what: () => Promise<string>): Promise<boolean> => {
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

  const create = (station: NewStation) =>
    run(async () => {
      const r = await api<{ station: StationView }>('POST', '/printing/stations', station);
      return `Station ${r.station.name} created.`;
    });
  const save = (station: StationView, changes: StationChanges) =>
    run(async () => {
      const r = await api<{ station: StationView }>(
        'PATCH',
        `/printing/stations/${encodeURIComponent(station.id)}`,
        changes,
      );
      return `Station ${r.station.name} saved.`;
    });
  const remove = (station: StationView) => {
    setDeleting(undefined);
    void run(async () => {
      await api('DELETE', `/printing/stations/${encodeURIComponent(station.id)}`);
      return `Station ${station.name} deleted.`;
    });
  };

  const stations = [...(list.items ?? [])].sort(
    (a, b) =>
      branchName(branches, a.branchId).localeCompare(branchName(branches, b.branchId)) || a.name.localeCompare(b.name),
  );
  return (
    <section aria-labelledby="stations-title">
      <h2 id="stations-title">Stations</h2>
      <p class="muted">
        A job sent to a station prints on its first ready printer; tickets waiting on a printer that stops being ready
        move to the next one.
      </p>
      <ErrorAlert error={error ?? list.error} />
      <Notice>{notice}</Notice>
      {manages && <StationForm branches={branches} printers={printers} defaultBranchId={branchId} onCreate={create} />}
      <div class="filters">
        <label>
          Show the stations of
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
      {!list.items && !list.error && <p aria-busy="true">Loading…</p>}
      {list.items && list.items.length === 0 && <p class="muted card">No station here yet.</p>}
      <div class="stations">
        {stations.map((s) => (
          <StationCard
            key={s.id}
            station={s}
            printers={printers}
            branch={branchId ? undefined : branchName(branches, s.branchId)}
            manages={manages}
            onSave={(changes) => save(s, changes)}
            onDelete={() => setDeleting(s)}
          />
        ))}
      </div>
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete station ${deleting?.name ?? ''}?`}
        body="Jobs sent to it stay on the printers they are on. The POS can no longer send jobs to it. This cannot be undone."
        confirmLabel="Delete station"
        onConfirm={() => deleting && remove(deleting)}
        onCancel={() => setDeleting(undefined)}
      />
    </section>
  );
}
