import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * A secret the gateway shows once (a licence key, an API key, a webhook secret): in a modal with
 * a copy button and a plain warning that it will not be shown again. The secret lives only in
 * the caller's state and is dropped when the dialog closes; it never reaches the address,
 * storage or the page's other markup.
 */
export function SecretDialog(props: {
  /** The secret; the dialog is open while there is one. */
  secret: string | undefined;
  title: string;
  /** What the secret is, as its field's label: "Licence key", "API key", "Signing secret". */
  label: string;
  /** What to do with it, in a sentence. */
  use: string;
  /** How the gateway keeps it, when not as a hash only (a webhook's secret signs deliveries). */
  kept?: string;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'no' | undefined>();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.secret && !dialog.open) {
      setCopied(undefined);
      dialog.showModal();
      field.current?.select();
    }
    if (!props.secret && dialog.open) dialog.close();
  }, [props.secret]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.secret ?? '');
      setCopied('yes');
    } catch {
      // No clipboard access (permission, an older browser): the selected text can be copied by hand.
      field.current?.select();
      setCopied('no');
    }
  };

  return (
    <dialog ref={ref} class="secret-dialog" aria-labelledby="secret-title" onClose={props.onClose}>
      <h2 id="secret-title">{props.title}</h2>
      <p class="banner banner-bad" id="secret-warning">
        Copy it now: <strong>it will not be shown again.</strong>{' '}
        {props.kept ?? 'PrinterMaster keeps only a hash of it.'}
      </p>
      <p>{props.use}</p>
      <label for="secret-value">{props.label}</label>
      <div class="secret-row">
        <input
          ref={field}
          id="secret-value"
          class="secret-value"
          readOnly
          value={props.secret ?? ''}
          aria-describedby="secret-warning"
          spellcheck={false}
          autocomplete="off"
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" class="primary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p role="status" aria-live="polite" class="muted">
        {copied === 'yes' && 'Copied to the clipboard.'}
        {copied === 'no' && 'Could not reach the clipboard: the key is selected, press Ctrl+C (⌘C) to copy it.'}
      </p>
      <div class="actions">
        <button type="button" onClick={() => ref.current?.close()}>
          I have copied it
        </button>
      </div>
    </dialog>
  );
}
