import { computeFreeBusy } from '../src/domain/availability.js';
import { normalize, subtract } from '../src/domain/intervals.js';
import { DEFAULT_PROFILE, sanitizeProfile, toWorkingMinutes } from '../src/domain/working-hours.js';
import { isValidTimeZone } from '@flowforge/time';
import { rejection } from '@flowforge/testing';

const t = (iso: string) => Date.parse(iso);
const iso = (i: { start: number; end: number }) => [new Date(i.start).toISOString(), new Date(i.end).toISOString()];

describe('intervals', () => {
  it('merges and subtracts', () => {
    expect(normalize([{ start: 5, end: 7 }, { start: 1, end: 3 }, { start: 3, end: 4 }, { start: 6, end: 9 }])).toEqual([{ start: 1, end: 4 }, { start: 5, end: 9 }]);
    expect(subtract([{ start: 0, end: 10 }], [{ start: 2, end: 3 }, { start: 8, end: 12 }])).toEqual([{ start: 0, end: 2 }, { start: 3, end: 8 }]);
  });
});

describe('computeFreeBusy', () => {
  it('merges busy events with time outside working hours, in the user zone', () => {
    const hours = toWorkingMinutes({ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' });
    // Monday 30 Nov 2026 in Berlin (UTC+1): working hours are 08:00Z-16:00Z.
    const result = computeFreeBusy({ start: t('2026-11-30T00:00:00Z'), end: t('2026-12-01T00:00:00Z') }, [{ start: t('2026-11-30T10:00:00Z'), end: t('2026-11-30T11:00:00Z') }, { start: t('2026-11-30T10:30:00Z'), end: t('2026-11-30T11:30:00Z') }], hours, 'Europe/Berlin');
    expect(result.free.map(iso)).toEqual([['2026-11-30T08:00:00.000Z', '2026-11-30T10:00:00.000Z'], ['2026-11-30T11:30:00.000Z', '2026-11-30T16:00:00.000Z']]);
    expect(result.busy.map(iso)).toEqual([['2026-11-30T00:00:00.000Z', '2026-11-30T08:00:00.000Z'], ['2026-11-30T10:00:00.000Z', '2026-11-30T11:30:00.000Z'], ['2026-11-30T16:00:00.000Z', '2026-12-01T00:00:00.000Z']]);
  });
});

describe('profiles', () => {
  it('falls back to UTC Mon-Fri 09:00-17:00 for missing or broken data', () => {
    expect(sanitizeProfile(undefined, isValidTimeZone)).toEqual(DEFAULT_PROFILE);
    expect(sanitizeProfile({ timezone: 'Asia/Tokyo', workingHours: { days: [1, 2], start: '10:00', end: '09:00' } }, isValidTimeZone)).toEqual({ timezone: 'Asia/Tokyo', workingHours: DEFAULT_PROFILE.workingHours });
    expect(sanitizeProfile({ timezone: 'Nowhere/Land', workingHours: { days: [6, 7, 6], start: '08:00', end: '12:30' } }, isValidTimeZone)).toEqual({ timezone: 'UTC', workingHours: { days: [6, 7], start: '08:00', end: '12:30' } });
    expect(rejection(() => toWorkingMinutes({ days: [1], start: '9:00', end: '17:00' })).field).toBe('workingHours.start');
  });
});
