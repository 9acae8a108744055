import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from './api.js';
import type { Fleet } from './fleet.js';
import { printerHref } from './route.js';
import type { PaperCheckView } from './types.js';

type Outcome = { kind: 'confirming' } | { kind: 'done'; check: PaperCheckView } | { kind: 'failed'; text: string };

/**
 * Where a paper check slip's QR code leads (`#/paper/<code>`): the scan itself confirms that the
 * slip came out of the printer. The code works once; its address leaves the history at once.
 */
export function PaperConfirmView({ token, fleet }: { token: string; fleet: Fleet }) {
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'confirming' });
  useEffect(() => {
    history.replaceState(null, '', '#/');
    api<{ paperCheck: PaperCheckView }>('POST', '/printing/paper-checks/confirm', { token }).then(
      (r) => setOutcome({ kind: 'done', check: r.paperCheck }),
      (err: Error) =>
        setOutcome({ kind: 'failed', text: err instanceof ApiError ? `${err.message} (${err.code})` : err.message }),
    );
  }, [token]);

  if (outcome.kind === 'confirming') return <p aria-busy="true">Confirming the paper check…</p>;
  if (outcome.kind === 'failed')
    return (
      <p class="banner banner-bad" role="alert">
        This paper check could not be confirmed: {outcome.text}
      </p>
    );
  const printer = fleet.printers.find((p) => p.id === outcome.check.printerId);
  return (
    <section aria-labelledby="paper-title">
      <h1 id="paper-title">Paper confirmed</h1>
      <p class="banner banner-good" role="status">
        The slip came out of <a href={printerHref(outcome.check.printerId)}>{printer?.name ?? 'the printer'}</a>: it
        prints.
      </p>
    </section>
  );
}
