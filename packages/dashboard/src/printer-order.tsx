import { useEffect, useState } from 'preact/hooks';
import { printerLabel, printerTone } from './format.js';
import type { Printer } from './types.js';

/** The gateway's MAX_STATION_PRINTERS: a station lists 1 to 10 printers. */
export const MAX_STATION_PRINTERS = 10;

/** A printer's name from the fleet, else its id (a printer removed since, or not yet read). */
export function printerName(printers: Printer[], id: string): string {
  return printers.find((p) => p.id === id)?.name ?? id;
}

/** The status badge of one printer as the fleet knows it now. */
export function PrinterBadge({ printer }: { printer: Printer | undefined }) {
  if (!printer) return <span class="badge tone-quiet">Unknown</span>;
  return (
    <span class={`badge tone-${printerTone(printer.status, printer.statusReason)}`}>
      {printerLabel(printer.status, printer.statusReason)}
    </span>
  );
}

function ordinal(n: number): string {
  return n === 1 ? 'first' : n === 2 ? 'second' : n === 3 ? 'third' : `number ${n}`;
}

/**
 * A station's printers in their order, each moved up or down or removed by buttons (keyboard and
 * screen reader users cannot drag), and a printer of the branch added at the end. The button
 * pressed keeps the focus as its row moves, and each change is said in a polite live region.
 */
export function PrinterOrder(props: {
  /** Prefix of the ids inside, unique in the page. */
  id: string;
  printerIds: string[];
  /** The printers that may be added: the station's branch's. */
  candidates: Printer[];
  /** Every printer known, to name and badge the listed ones. */
  printers: Printer[];
  error?: string | undefined;
  onChange: (ids: string[]) => void;
}) {
  const { printerIds, printers } = props;
  const [adding, setAdding] = useState('');
  const [said, setSaid] = useState('');
  const [focus, setFocus] = useState<{ id: string; button: 'up' | 'down' } | undefined>();
  const addable = props.candidates.filter((p) => !printerIds.includes(p.id));
  const full = printerIds.length >= MAX_STATION_PRINTERS;
  // The choice may be stale (another branch chosen since): only an addable printer is added.
  const chosen = addable.find((p) => p.id === adding) ?? addable[0];

  useEffect(() => {
    if (!focus) return;
    const row = document.getElementById(`${props.id}-${focus.id}`);
    const wanted = row?.querySelector<HTMLButtonElement>(`button[data-move="${focus.button}"]`);
    // At the top or bottom the pressed button is disabled: its neighbour takes the focus.
    const other = row?.querySelector<HTMLButtonElement>(`button[data-move="${focus.button === 'up' ? 'down' : 'up'}"]`);
    (wanted && !wanted.disabled ? wanted : other)?.focus();
    setFocus(undefined);
  }, [focus, props.id]);

  const move = (index: number, by: -1 | 1) => {
    const next = [...printerIds];
    const [moved] = next.splice(index, 1);
    if (moved === undefined) return;
    next.splice(index + by, 0, moved);
    props.onChange(next);
    setFocus({ id: moved, button: by < 0 ? 'up' : 'down' });
    setSaid(`${printerName(printers, moved)} is now ${ordinal(index + by + 1)} of ${next.length}.`);
  };
  const remove = (id: string) => {
    props.onChange(printerIds.filter((p) => p !== id));
    setSaid(`${printerName(printers, id)} removed.`);
  };
  const add = () => {
    const id = chosen?.id;
    if (!id || full) return;
    props.onChange([...printerIds, id]);
    setAdding('');
    setSaid(`${printerName(printers, id)} added, ${ordinal(printerIds.length + 1)}.`);
  };

  return (
    <fieldset class="printer-order" aria-describedby={props.error ? `${props.id}-error` : undefined}>
      <legend>Printers, first choice first</legend>
      {printerIds.length === 0 && <p class="muted">No printer yet: add one below.</p>}
      <ol>
        {printerIds.map((id, i) => {
          const printer = printers.find((p) => p.id === id);
          const name = printerName(printers, id);
          return (
            <li key={id} id={`${props.id}-${id}`} data-printer-name={name}>
              <div class="order-row">
                <span class="order-name">
                  {name} <PrinterBadge printer={printer} />
                </span>
                <span class="row-actions">
                  <button
                    type="button"
                    data-move="up"
                    disabled={i === 0}
                    aria-label={`Move ${name} up`}
                    onClick={() => move(i, -1)}
                  >
                    ↑ Up
                  </button>
                  <button
                    type="button"
                    data-move="down"
                    disabled={i === printerIds.length - 1}
                    aria-label={`Move ${name} down`}
                    onClick={() => move(i, 1)}
                  >
                    ↓ Down
                  </button>
                  <button type="button" aria-label={`Remove ${name}`} onClick={() => remove(id)}>
                    Remove
                  </button>
                </span>
              </div>
            </li>
          );
        })}
      </ol>
      {props.error && (
        <span id={`${props.id}-error`} class="field-error">
          {props.error}
        </span>
      )}
      {addable.length > 0 && !full && (
        <div class="inline-form">
          <label for={`${props.id}-add`}>Add a printer</label>
          <select id={`${props.id}-add`} value={chosen?.id} onChange={(e) => setAdding(e.currentTarget.value)}>
            {addable.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
          <button type="button" onClick={add}>
            Add printer
          </button>
        </div>
      )}
      {full && <p class="muted">A station lists at most {MAX_STATION_PRINTERS} printers.</p>}
      <div role="status" aria-live="polite" class="visually-hidden">
        {said}
      </div>
    </fieldset>
  );
}
