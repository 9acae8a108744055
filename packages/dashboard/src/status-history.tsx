import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { printerLabel, printerReason, printerTone, time } from './format.js';
import type { LiveConnection } from './live.js';
import type { PrinterStatus, PrinterStatusChangeView } from './types.js';

/** A printer's last status changes with their reasons, newest first, read again on each live change. */
export function StatusHistory({ printerId, live }: { printerId: string; live: LiveConnection }) {
  const [history, setHistory] = useState<PrinterStatusChangeView[] | undefined>();
  useEffect(() => {
    let stopped = false;
    const load = () =>
      api<{ history: PrinterStatusChangeView[] }>(
        'GET',
        `/printing/printers/${encodeURIComponent(printerId)}/status-history?limit=20`,
      ).then(
        (r) => !stopped && setHistory(r.history),
        () => !stopped && setHistory([]),
      );
    void load();
    const off = live.on('printerStatusUpdate', (entries) => {
      if (entries.some((e) => e.printerId === printerId)) void load();
    });
    return () => {
      stopped = true;
      off();
    };
  }, [printerId, live]);

  return (
    <section aria-labelledby="status-history-title">
      <h2 id="status-history-title">Status history</h2>
      {history === undefined ? (
        <p aria-busy="true">Loading…</p>
      ) : history.length === 0 ? (
        <p class="muted">No status change recorded yet.</p>
      ) : (
        <ol class="timeline" data-testid="status-history">
          {history.map((h) => {
            const status = h.status as PrinterStatus;
            const reason = h.reason ?? undefined;
            return (
              <li key={h.at}>
                {time(h.at)}{' '}
                <span class={`badge tone-${printerTone(status, reason)}`}>{printerLabel(status, reason)}</span>
                {printerReason(status, reason) ? ` — ${printerReason(status, reason)}` : ''}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
