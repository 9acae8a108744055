import type { JobState, PrinterStatus } from './types.js';

/** "12 s ago", "3 min ago", or the local time for older moments. */
export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const ms = now - Date.parse(iso);
  if (Number.isNaN(ms)) return '—';
  if (ms < 5_000) return 'just now';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s ago`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min ago`;
  return new Date(iso).toLocaleString();
}

export function time(iso: string | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

const PRINTER_LABELS: Record<PrinterStatus, string> = {
  online: 'Online',
  busy: 'Busy',
  offline: 'Offline',
  error: 'Error',
  unknown: 'Unknown',
};

const REASONS: Record<string, string> = {
  agent_disconnected: 'its agent is not connected',
};

export function printerLabel(status: PrinterStatus): string {
  return PRINTER_LABELS[status] ?? status;
}

/** Why, in words: the gateway's reason, else what the status means at the printer. */
export function printerReason(status: PrinterStatus, reason: string | undefined): string {
  if (reason) return REASONS[reason] ?? reason;
  if (status === 'error') return 'the printer reports a fault (paper out, cover open or similar)';
  if (status === 'offline') return 'the agent cannot reach the printer';
  return '';
}

/** A tone for badges: good, busy, bad, quiet. */
export function printerTone(status: PrinterStatus): string {
  return status === 'online' ? 'good' : status === 'busy' ? 'busy' : status === 'unknown' ? 'quiet' : 'bad';
}

export function jobTone(state: JobState): string {
  if (state === 'completed') return 'good';
  if (state === 'failed' || state === 'unconfirmed' || state === 'expired') return 'bad';
  if (state === 'cancelled') return 'quiet';
  return 'busy';
}

export function shortId(id: string): string {
  return id.length > 10 ? `${id.slice(0, 8)}…` : id;
}
