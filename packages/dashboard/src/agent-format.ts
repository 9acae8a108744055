import type { DesktopHealthAlertEvent, DesktopHealthEntry } from './types.js';

type Quality = DesktopHealthEntry['connectionQuality'];

/** A badge's tone for a connection quality: fair is a warning, poor a fault. */
export function qualityTone(quality: Quality): string {
  return quality === 'poor' ? 'bad' : quality === 'fair' ? 'busy' : 'good';
}

/** "12 s", "4 min 10 s", "2 h 5 min", "3 d 4 h": a length of time in its two largest units. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** Latency in whole milliseconds; the gateway averages, so fractions say nothing useful. */
export function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${Math.round(value)} ms`;
}

/** A loss rate, already a percentage (0–100). */
export function percent(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return `${value < 10 && value > 0 ? value.toFixed(1) : Math.round(value)} %`;
}

const ALERTS: Record<string, string> = {
  poor_connection_quality: 'Poor connection quality',
  high_latency: 'High latency',
  connection_degraded: 'Connection degraded',
  recovered: 'Recovered',
  journal_damaged: 'Journal damaged',
};

/** An alert type (socket or feed) in words. */
export function alertLabel(type: string): string {
  return ALERTS[type] ?? type.replaceAll('_', ' ');
}

/** The tone of a live alert: a recovery is good news whatever its severity. */
export function alertTone(alert: Pick<DesktopHealthAlertEvent, 'type' | 'severity'>): string {
  if (alert.type === 'recovered') return 'good';
  return alert.severity === 'critical' || alert.severity === 'high'
    ? 'bad'
    : alert.severity === 'medium'
      ? 'busy'
      : 'quiet';
}

/** What a live alert measured, when it says: "quality poor · 480 ms · loss 12 %". */
export function alertMetrics(alert: DesktopHealthAlertEvent): string {
  const m = alert.metrics;
  if (!m) return '';
  const parts = [
    m.connectionQuality ? `quality ${m.connectionQuality}` : '',
    m.averageLatency === undefined ? '' : ms(m.averageLatency),
    m.packetLossRate === undefined ? '' : `loss ${percent(m.packetLossRate)}`,
  ];
  return parts.filter(Boolean).join(' · ');
}
