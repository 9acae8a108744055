import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from './api.js';
import { ago } from './format.js';
import type { PaperCheckView } from './types.js';

/**
 * A printer's paper check: when paper was last seen coming out (a slip scanned by a person), and a
 * button that prints a new slip. The canary proves the printer answers; this proves it prints.
 */
export function PaperCheckPanel({ printerId }: { printerId: string }) {
  const [check, setCheck] = useState<PaperCheckView | null | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const load = () =>
    api<{ paperCheck: PaperCheckView | null }>('GET', `/printing/printers/${encodeURIComponent(printerId)}/paper-check`)
      .then((r) => setCheck(r.paperCheck))
      .catch(() => setCheck(null));
  useEffect(() => {
    setNotice(undefined);
    void load();
  }, [printerId]);

  const print = async () => {
    try {
      await api('POST', `/printing/printers/${encodeURIComponent(printerId)}/paper-check`);
      setNotice('Slip sent: scan its QR code with the dashboard signed in.');
      void load();
    } catch (err) {
      setNotice(err instanceof ApiError ? `${err.message} (${err.code})` : String(err));
    }
  };

  return (
    <section aria-labelledby="paper-check-title">
      <h2 id="paper-check-title">Paper check</h2>
      <p data-testid="paper-check">
        {check === undefined
          ? '…'
          : check === null
            ? 'No paper check yet.'
            : check.confirmedAt
              ? `Paper seen ${ago(check.confirmedAt)}, confirmed by ${check.confirmedBy ?? 'someone'}.`
              : `Slip printed ${ago(check.printedAt)}, not scanned yet.`}
      </p>
      <div class="actions">
        <button type="button" onClick={print}>
          Print a paper check slip
        </button>
      </div>
      <div role="status" aria-live="polite">
        {notice && <p class="banner">{notice}</p>}
      </div>
    </section>
  );
}
