import type { JobState, Printer, PrinterStatus } from './types.js';

/** "12 s ago", "3 min ago", or the local time for older moments. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const ms = now - Date.parse(iso);
  if (Number.isNaN(ms)) return '—';
  if (ms < 5_000) return 'just now';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s ago`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min ago`;
  return new Date(iso).toLocaleString();
}

export function time(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

const PRINTER_LABELS: Record<PrinterStatus, string> = {
  online: 'Online',
  busy: 'Busy',
  offline: 'Offline',
  error: 'Error',
  unknown: 'Unknown',
};

/** The reasons agents and the gateway give (`PRINTER_STATUS_REASONS` in the protocol): a short name and what it means. */
const REASONS: Record<string, { label: string; text: string }> = {
  paper_near_end: { label: 'Paper low', text: 'the paper is nearly out; it still prints' },
  paper_out: { label: 'Paper out', text: 'out of paper: load a roll' },
  cover_open: { label: 'Cover open', text: 'the cover is open: close it' },
  printer_offline: { label: 'Offline', text: 'the printer says it is offline' },
  unreachable: { label: 'Unreachable', text: 'the agent cannot connect to the printer' },
  not_answering: { label: 'Not answering', text: 'connected, but the printer does not answer' },
  agent_disconnected: { label: 'Offline', text: 'its agent is not connected' },
};

/** The badge: the reason's short name when there is one (`Paper out`), else the status. */
export function printerLabel(status: PrinterStatus, reason?: string): string {
  return (reason && REASONS[reason]?.label) || PRINTER_LABELS[status] || status;
}

/** Why, in words: the gateway's reason, else what the status means at the printer. */
export function printerReason(status: PrinterStatus, reason: string | undefined): string {
  if (reason) return REASONS[reason]?.text ?? reason.replaceAll('_', ' ');
  if (status === 'error') return 'the printer reports a fault (paper out, cover open or similar)';
  if (status === 'offline') return 'the agent cannot reach the printer';
  return '';
}

/** A tone for badges: good, busy, bad, quiet. */
export function printerTone(status: PrinterStatus, reason?: string): string {
  if (reason === 'paper_near_end') return 'busy';
  return status === 'online' ? 'good' : status === 'busy' ? 'busy' : status === 'unknown' ? 'quiet' : 'bad';
}

/** The last canary in words: "Can print: verified 40 s ago", "Canary failed 1 min ago: paper out". */
export function canaryText(canary: Printer['canary'], now = Date.now()): string {
  if (!canary) return 'Not verified yet';
  if (canary.ok) return `Can print: verified ${ago(canary.at, now)}`;
  const why =
    canary.reason === 'no_answer'
      ? 'the agent did not answer'
      : (canary.reason && REASONS[canary.reason]?.label.toLowerCase()) ||
        (canary.reason ?? 'not ready').replaceAll('_', ' ');
  return `Canary failed ${ago(canary.at, now)}: ${why}`;
}

export function jobTone(state: JobState): string {
  if (state === 'completed') return 'good';
  if (state === 'held') return 'bad';
  if (state === 'failed' || state === 'unconfirmed' || state === 'expired') return 'bad';
  if (state === 'cancelled') return 'quiet';
  return 'busy';
}

export function shortId(id: string): string {
  return id.length > 10 ? `${id.slice(0, 8)}…` : id;
}
