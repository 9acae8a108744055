import { type Static, Type } from '@sinclair/typebox';

/** The days of a week, as service hours name them (Monday first, as a restaurant's rota is). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const ClockTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, 24-hour' });

/** One opening of a day. `to` earlier than `from` runs past midnight (18:00–02:00). */
export const ServicePeriodSchema = Type.Object({ from: ClockTime, to: ClockTime }, { additionalProperties: false });
export type ServicePeriod = Static<typeof ServicePeriodSchema>;

/**
 * When a branch serves guests, in its own time zone: the alerts that concern service (printer
 * canaries, service times) fire only inside these hours. A day left out has no service. A period
 * past midnight belongs to the day it starts on.
 */
export const ServiceHoursSchema = Type.Object(
  {
    /** An IANA time zone, e.g. `Europe/Berlin`. */
    timeZone: Type.String({ minLength: 1, maxLength: 64 }),
    days: Type.Object(
      Object.fromEntries(WEEKDAYS.map((d) => [d, Type.Optional(Type.Array(ServicePeriodSchema, { maxItems: 8 }))])),
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export interface ServiceHours {
  timeZone: string;
  days: Partial<Record<Weekday, ServicePeriod[]>>;
}

/** Whether `timeZone` is one this runtime knows (an unknown one is refused when hours are set). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const MINUTES_PER_DAY = 24 * 60;

/** Whether `at` (Unix ms) falls inside the hours, read in their time zone. */
export function isInServiceHours(hours: ServiceHours, at: number): boolean {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: hours.timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const today = WEEKDAYS.indexOf(part('weekday').toLowerCase().slice(0, 3) as Weekday);
  const now = Number(part('hour')) * 60 + Number(part('minute'));
  const yesterday = WEEKDAYS[(today + 6) % 7] as Weekday;
  const inPeriod = (p: ServicePeriod, dayOffset: 0 | 1) => {
    const from = minutes(p.from);
    let to = minutes(p.to);
    if (to <= from) to += MINUTES_PER_DAY;
    const t = now + dayOffset * MINUTES_PER_DAY;
    return t >= from && t < to;
  };
  return (
    (hours.days[WEEKDAYS[today] as Weekday] ?? []).some((p) => inPeriod(p, 0)) ||
    (hours.days[yesterday] ?? []).some((p) => inPeriod(p, 1))
  );
}

function minutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}
