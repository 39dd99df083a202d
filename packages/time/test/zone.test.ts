import fc from 'fast-check';
import { intlWallClock, localDate, localDayBounds, offsetMs, wallClock } from '@flowforge/time';

// Zones with unusual rules: 30-minute DST (Lord_Howe), negative DST (Dublin), a skipped day (Apia),
// Ramadan DST pauses (Casablanca), a 2-hour DST (Troll), 45-minute offsets (Chatham, Kathmandu).
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Europe/Dublin', 'Pacific/Apia', 'Africa/Casablanca', 'Antarctica/Troll', 'Pacific/Chatham', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Kiritimati'];
const MIN = Date.UTC(1890, 0, 1);
const MAX = Date.UTC(2060, 0, 1);

const intlOffset = (epochMs: number, timeZone: string) => {
  const floored = Math.floor(epochMs / 1000) * 1000;
  const w = intlWallClock(floored, timeZone);
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second, 0);
  return d.getTime() - floored;
};

describe('cached offsets agree with Intl', () => {
  it('at any instant, in zones with unusual rules (property)', () => {
    fc.assert(fc.property(fc.integer({ min: MIN, max: MAX }), fc.constantFrom(...ZONES), (epochMs, zone) => {
      expect(wallClock(epochMs, zone)).toEqual(intlWallClock(epochMs, zone));
      expect(offsetMs(epochMs, zone)).toBe(intlOffset(epochMs, zone));
    }), { numRuns: 3000 });
  });

  it('second by second across transitions, including the hours that hold them', () => {
    const transitions: Array<[string, number]> = [
      ['Europe/Berlin', Date.UTC(2026, 2, 29, 1)], // spring forward 02:00 -> 03:00
      ['Europe/Berlin', Date.UTC(2026, 9, 25, 1)], // fall back 03:00 -> 02:00
      ['Australia/Lord_Howe', Date.UTC(2026, 3, 4, 15)], // 30-minute fall back at 02:00 local
      ['Pacific/Apia', Date.UTC(2011, 11, 30, 10)], // the skipped 30 December 2011
      ['America/St_Johns', Date.UTC(2026, 2, 8, 5, 30)],
    ];
    for (const [zone, around] of transitions) {
      for (let t = around - 2 * 3_600_000; t <= around + 2 * 3_600_000; t += 7_000) {
        expect(wallClock(t, zone)).toEqual(intlWallClock(t, zone));
      }
    }
  });

  it('keeps local dates and day bounds right on DST days (Berlin has a 23 and a 25 hour day)', () => {
    expect(localDayBounds('2026-03-29', 'Europe/Berlin').end.getTime() - localDayBounds('2026-03-29', 'Europe/Berlin').start.getTime()).toBe(23 * 3_600_000);
    expect(localDayBounds('2026-10-25', 'Europe/Berlin').end.getTime() - localDayBounds('2026-10-25', 'Europe/Berlin').start.getTime()).toBe(25 * 3_600_000);
    expect(localDate(new Date('2026-10-24T22:00:00Z'), 'Europe/Berlin')).toBe('2026-10-25');
    expect(localDate(new Date('2026-10-24T21:59:59Z'), 'Europe/Berlin')).toBe('2026-10-24');
    const apia = localDayBounds('2011-12-30', 'Pacific/Apia');
    expect(apia.start.getTime()).toBe(apia.end.getTime());
  });
});
