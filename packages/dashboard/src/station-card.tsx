import { useEffect, useRef, useState } from 'preact/hooks';
import { Field } from './admin-common.js';
import { PrinterBadge, PrinterOrder, printerName } from './printer-order.js';
import { STATION_NAME_MAX, stationProblems } from './station-form.js';
import type { Printer, StationView } from './types.js';

export interface StationChanges {
  name?: string;
  printerIds?: string[];
}

/** As the gateway's dispatcher decides: a printer reported online or busy (by a connected agent). */
function ready(printer: Printer | undefined): boolean {
  return printer?.status === 'online' || printer?.status === 'busy';
}

/**
 * One station: its printers in order with their live status, the one its tickets go to now
 * marked, and for managers Edit (name and printers) and Delete.
 */
export function StationCard(props: {
  station: StationView;
  printers: Printer[];
  /** The branch's name, when the list shows several branches. */
  branch: string | undefined;
  manages: boolean;
  onSave: (changes: StationChanges) => Promise<boolean>;
  onDelete: () => void;
}) {
  const { station, printers } = props;
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  // Back from the form, the focus returns to the button that opened it.
  useEffect(() => {
    if (wasEditing.current && !editing) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  const now = station.printerIds.find((id) => ready(printers.find((p) => p.id === id)));
  const titleId = `station-${station.id}`;
  return (
    <article class="card station" data-station={station.name} aria-labelledby={titleId}>
      <h3 id={titleId}>
        {station.name}
        {props.branch && <span class="muted"> · {props.branch}</span>}
      </h3>
      {editing ? (
        <StationEditForm
          station={station}
          printers={printers}
          onSave={async (changes) => {
            if (await props.onSave(changes)) setEditing(false);
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <>
          <ol class="station-printers">
            {station.printerIds.map((id) => (
              <li key={id} data-printer-name={printerName(printers, id)} class={id === now ? 'prints-now' : undefined}>
                <span class="order-name">{printerName(printers, id)}</span>{' '}
                <PrinterBadge printer={printers.find((p) => p.id === id)} />
                {id === now && <strong class="badge tone-good now-mark">prints here now</strong>}
              </li>
            ))}
          </ol>
          {!now && (
            <p class="muted" data-no-ready>
              No printer of this station is ready: its tickets wait on{' '}
              {printerName(printers, station.printerIds[0] ?? '')}.
            </p>
          )}
          {props.manages && (
            <div class="row-actions">
              <button
                type="button"
                ref={editButton}
                onClick={() => setEditing(true)}
                aria-label={`Edit station ${station.name}`}
              >
                Edit
              </button>
              <button type="button" onClick={props.onDelete} aria-label={`Delete station ${station.name}`}>
                Delete
              </button>
            </div>
          )}
        </>
      )}
    </article>
  );
}

function StationEditForm(props: {
  station: StationView;
  printers: Printer[];
  onSave: (changes: StationChanges) => Promise<void>;
  onCancel: () => void;
}) {
  const { station } = props;
  const [name, setName] = useState(station.name);
  const [printerIds, setPrinterIds] = useState(station.printerIds);
  const [problems, setProblems] = useState<{ name?: string; printers?: string }>({});
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => field.current?.focus(), []);
  const id = `edit-station-${station.id}`;

  const submit = async (e: Event) => {
    e.preventDefault();
    const found = stationProblems(name, printerIds);
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    // Only what changed is sent: a rename alone leaves the printers as another manager set them.
    const changes: StationChanges = {
      ...(name.trim() !== station.name ? { name: name.trim() } : {}),
      ...(printerIds.join() !== station.printerIds.join() ? { printerIds } : {}),
    };
    if (Object.keys(changes).length === 0) return props.onCancel();
    setBusy(true);
    await props.onSave(changes);
    setBusy(false);
  };

  return (
    <form noValidate onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && props.onCancel()}>
      <Field id={`${id}-name`} label={`Name of station ${station.name}`} error={problems.name}>
        {(attrs) => (
          <input
            {...attrs}
            ref={field}
            value={name}
            maxLength={STATION_NAME_MAX}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        )}
      </Field>
      <PrinterOrder
        id={`${id}-printers`}
        printerIds={printerIds}
        candidates={props.printers.filter((p) => p.branchId === station.branchId)}
        printers={props.printers}
        error={problems.printers}
        onChange={setPrinterIds}
      />
      <div class="actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" class="primary" disabled={busy}>
          Save station
        </button>
      </div>
    </form>
  );
}
