import { rejection } from '@flowforge/testing';
import { localDate } from '@flowforge/time';
import { assertCheckInAllowed, checkableDates, completionRate, habitStreak, periodStates, validateRange } from '../../src/domain/progress.js';
import { parseSchedule } from '@flowforge/schedule';

const weekdays = { schedule: parseSchedule('FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR'), startDate: '2026-03-16', timesPerWeek: null };
const set = (...dates: string[]) => new Set(dates);

describe('check-in window', () => {
  it('allows scheduled days from today back 2 days, nothing else, and says which dates are valid', () => {
    // Monday 2026-03-30: Saturday and Sunday are not scheduled, so only today is checkable.
    expect(checkableDates(weekdays, '2026-03-30')).toEqual(['2026-03-30']);
    expect(checkableDates(weekdays, '2026-04-01')).toEqual(['2026-03-30', '2026-03-31', '2026-04-01']);
    expect(() => assertCheckInAllowed(weekdays, '2026-03-30', '2026-04-01')).not.toThrow();
    expect(rejection(() => assertCheckInAllowed(weekdays, '2026-04-02', '2026-04-01'))).toEqual({
      message: '2026-04-02 is in the future (today is 2026-04-01 in your time zone). You can check in now for: 2026-03-30, 2026-03-31, 2026-04-01.', code: 'BAD_USER_INPUT', field: 'date',
    });
    expect(rejection(() => assertCheckInAllowed(weekdays, '2026-03-27', '2026-04-01')).message).toBe('2026-03-27 is more than 2 days ago; check-ins are accepted up to 2 days late. You can check in now for: 2026-03-30, 2026-03-31, 2026-04-01.');
    expect(rejection(() => assertCheckInAllowed(weekdays, '2026-03-29', '2026-03-30')).message).toBe('2026-03-29 is not a scheduled day of this habit. You can check in now for: 2026-03-30.');
    expect(rejection(() => assertCheckInAllowed(weekdays, '2026-03-15', '2026-03-16')).message).toBe('2026-03-15 is before the habit starts (2026-03-16). You can check in now for: 2026-03-16.');
    expect(rejection(() => assertCheckInAllowed(weekdays, '2026-03-29', '2026-03-29')).message).toBe('2026-03-29 is not a scheduled day of this habit. You can check in now for: 2026-03-27.');
    const mondays = { schedule: parseSchedule('FREQ=WEEKLY;BYDAY=MO'), startDate: '2026-03-16', timesPerWeek: null };
    expect(rejection(() => assertCheckInAllowed(mondays, '2026-03-26', '2026-03-26')).message).toBe('2026-03-26 is not a scheduled day of this habit. No day between 2026-03-24 and 2026-03-26 is scheduled, so there is nothing to check in right now.');
    expect(rejection(() => assertCheckInAllowed(weekdays, '2026-3-1', '2026-03-29')).message).toBe('date must be a calendar date in the form YYYY-MM-DD; got "2026-3-1".');
  });

  it('validates ranges', () => {
    expect(rejection(() => validateRange('2026-02-01', '2026-01-01')).message).toBe('to (2026-01-01) must not be before from (2026-02-01).');
    expect(rejection(() => validateRange('2000-01-01', '2026-01-01')).message).toBe('The range from 2000-01-01 to 2026-01-01 has 9498 days; at most 3660 are allowed.');
  });
});

describe('streaks of a weekday habit', () => {
  it('skips weekends, breaks on a missed weekday, and waits for today until the day is over', () => {
    const done = set('2026-03-25', '2026-03-26', '2026-03-27', '2026-03-30');
    expect(habitStreak(weekdays, done, '2026-03-30')).toEqual({ current: 4, longest: 4 });
    // Tuesday not yet done: still 4, until Tuesday is over.
    expect(habitStreak(weekdays, done, '2026-03-31')).toEqual({ current: 4, longest: 4 });
    // Wednesday: Tuesday was missed.
    expect(habitStreak(weekdays, done, '2026-04-01')).toEqual({ current: 0, longest: 4 });
    // ...and a late check-in inside the grace window repairs it.
    expect(habitStreak(weekdays, set(...done, '2026-03-31'), '2026-04-01')).toEqual({ current: 5, longest: 5 });
  });

  it('is right across the Europe/Berlin DST change (Sunday 2026-03-29, a 23-hour day)', () => {
    const tz = 'Europe/Berlin';
    // Check-ins made late in the evening, local time: the instants straddle the DST change.
    const instants = ['2026-03-26T22:30:00Z' /* Fri 23:30 CET */, '2026-03-27T22:59:00Z' /* Fri 23:59 CET → still Fri? no: Sat 00:00 is 23:00Z */, '2026-03-29T21:59:00Z' /* Sun 23:59 CEST */, '2026-03-29T22:00:00Z' /* Mon 00:00 CEST */, '2026-03-30T21:30:00Z' /* Mon 23:30 CEST */];
    const dates = instants.map((instant) => localDate(new Date(instant), tz));
    expect(dates).toEqual(['2026-03-26', '2026-03-27', '2026-03-29', '2026-03-30', '2026-03-30']);
    const done = set('2026-03-23', '2026-03-24', '2026-03-25', ...dates);
    const today = localDate(new Date('2026-03-31T10:00:00Z'), tz);
    expect(today).toBe('2026-03-31');
    expect(habitStreak(weekdays, done, today)).toEqual({ current: 6, longest: 6 });
    // The US change (2026-03-08) and the autumn one (2026-10-25) behave the same: dates are dates.
    const autumn = { ...weekdays, startDate: '2026-10-19' };
    const autumnDone = ['2026-10-23T21:30:00Z', '2026-10-25T23:30:00Z', '2026-10-26T22:59:00Z'].map((i) => localDate(new Date(i), tz));
    expect(autumnDone).toEqual(['2026-10-23', '2026-10-26', '2026-10-26']);
    expect(habitStreak(autumn, set('2026-10-19', '2026-10-20', '2026-10-21', '2026-10-22', ...autumnDone), '2026-10-27')).toEqual({ current: 6, longest: 6 });
  });

  it('survives a time-zone move: stored local dates keep counting, only "today" follows the new zone', () => {
    const done = set('2026-03-30', '2026-03-31', '2026-04-01');
    // 2026-04-02T03:00Z: Thursday in Berlin (05:00) but still Wednesday in New York (23:00).
    const now = new Date('2026-04-02T03:00:00Z');
    expect(habitStreak(weekdays, done, localDate(now, 'Europe/Berlin'))).toEqual({ current: 3, longest: 3 });
    expect(habitStreak(weekdays, done, localDate(now, 'America/New_York'))).toEqual({ current: 3, longest: 3 });
    expect(checkableDates(weekdays, localDate(now, 'America/New_York'))).toEqual(['2026-03-30', '2026-03-31', '2026-04-01']);
  });

  it('counts every-other-day occurrences and weeks of timesPerWeek habits', () => {
    const everyOther = { schedule: parseSchedule('FREQ=DAILY;INTERVAL=2'), startDate: '2026-01-01', timesPerWeek: null };
    expect(habitStreak(everyOther, set('2026-01-01', '2026-01-03', '2026-01-04', '2026-01-05'), '2026-01-06')).toEqual({ current: 3, longest: 3 });
    const thrice = { schedule: parseSchedule('FREQ=WEEKLY'), startDate: '2026-03-02', timesPerWeek: 3 };
    const done = set('2026-03-02', '2026-03-04', '2026-03-08', /* week 2: */ '2026-03-10', '2026-03-11', '2026-03-15', /* week 3: 1 so far */ '2026-03-16');
    expect(habitStreak(thrice, done, '2026-03-18')).toEqual({ current: 2, longest: 2 });
    expect(habitStreak(thrice, done, '2026-03-23')).toEqual({ current: 0, longest: 2 });
    expect(periodStates(thrice, done, '2026-03-16', '2026-03-16', '2026-03-18')).toEqual([{ start: '2026-03-16', end: '2026-03-22', required: 3, done: 1, completed: false, open: true }]);
  });
});

describe('completion rate', () => {
  it('divides completed by due periods, leaving out future and still-open ones', () => {
    const done = set('2026-03-16', '2026-03-17', '2026-03-19', '2026-03-30');
    expect(completionRate(weekdays, done, '2026-03-16', '2026-03-22', '2026-04-01')).toEqual({ due: 5, completed: 3, rate: 0.6 });
    expect(completionRate(weekdays, done, '2026-03-30', '2026-04-30', '2026-03-31')).toEqual({ due: 1, completed: 1, rate: 1 });
    expect(completionRate(weekdays, done, '2026-03-31', '2026-04-30', '2026-03-31')).toEqual({ due: 0, completed: 0, rate: null });
  });
});
