import { describe, expect, it } from 'vitest';
import { isInServiceHours, isKnownTimeZone, type ServiceHours } from './service-hours.js';

/** Unix ms of a wall-clock time in UTC. */
const utc = (iso: string) => Date.parse(`${iso}Z`);

describe('service hours', () => {
  const berlin: ServiceHours = {
    timeZone: 'Europe/Berlin',
    days: { mon: [{ from: '11:30', to: '14:30' }], fri: [{ from: '17:00', to: '02:00' }] },
  };

  it('reads the time in the branch’s own time zone, summer and winter', () => {
    // Monday 2026-07-06: Berlin is UTC+2, so 12:00 there is 10:00 UTC.
    expect(isInServiceHours(berlin, utc('2026-07-06T10:00:00'))).toBe(true);
    expect(isInServiceHours(berlin, utc('2026-07-06T12:31:00'))).toBe(false);
    // Monday 2026-01-05: UTC+1.
    expect(isInServiceHours(berlin, utc('2026-01-05T10:29:00'))).toBe(false);
    expect(isInServiceHours(berlin, utc('2026-01-05T10:30:00'))).toBe(true);
  });

  it('keeps a period past midnight on the day it started, and ends it at `to`', () => {
    // Saturday 2026-07-11 01:30 in Berlin is still Friday's service; 02:00 is not.
    expect(isInServiceHours(berlin, utc('2026-07-10T23:30:00'))).toBe(true);
    expect(isInServiceHours(berlin, utc('2026-07-11T00:00:00'))).toBe(false);
    // Friday before 17:00 is not in service.
    expect(isInServiceHours(berlin, utc('2026-07-10T14:59:00'))).toBe(false);
  });

  it('treats a left-out day as closed and from = to as the whole day', () => {
    expect(isInServiceHours(berlin, utc('2026-07-07T10:00:00'))).toBe(false);
    const always: ServiceHours = { timeZone: 'UTC', days: { sun: [{ from: '00:00', to: '00:00' }] } };
    expect(isInServiceHours(always, utc('2026-07-05T23:59:00'))).toBe(true);
    expect(isInServiceHours(always, utc('2026-07-06T00:00:00'))).toBe(false);
  });

  it('knows IANA time zones and refuses others', () => {
    expect(isKnownTimeZone('Asia/Tokyo')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
  });
});
