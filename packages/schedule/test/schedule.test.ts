import { rejection } from '@flowforge/testing';
import { describeSchedule, isCheckInDate, occurrencesBetween, parseSchedule, periodsBetween, validateTimesPerWeek } from '../src/schedule.js';

describe('parseSchedule', () => {
  it('accepts supported rules, with or without RRULE:, in any case, and canonicalises them', () => {
    expect(parseSchedule('FREQ=DAILY').rule).toBe('FREQ=DAILY');
    expect(parseSchedule(' rrule:freq=weekly;byday=mo,tu,we,th,fr ').rule).toBe('FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR');
    expect(parseSchedule('FREQ=DAILY;INTERVAL=2').rule).toBe('FREQ=DAILY;INTERVAL=2');
    expect(parseSchedule('FREQ=DAILY;INTERVAL=1').rule).toBe('FREQ=DAILY');
    expect(parseSchedule('FREQ=MONTHLY;BYDAY=-1FR').rule).toBe('FREQ=MONTHLY;BYDAY=-1FR');
    expect(parseSchedule('FREQ=WEEKLY;UNTIL=20271231;BYDAY=SA').rule).toBe('FREQ=WEEKLY;BYDAY=SA;UNTIL=20271231');
    expect(parseSchedule('FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1;COUNT=3').rule).toBe('FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1;COUNT=3');
  });

  it.each([
    ['FREQ=HOURLY', 'schedule cannot use FREQ=HOURLY: the shortest habit schedule is daily (FREQ=DAILY).'],
    ['FREQ=MINUTELY;INTERVAL=5', 'schedule cannot use FREQ=MINUTELY: the shortest habit schedule is daily (FREQ=DAILY).'],
    ['FREQ=DAILY;BYHOUR=7', 'schedule cannot contain BYHOUR: habits happen on local dates; set the time of day with reminderTime.'],
    ['FREQ=DAILY;BYSECOND=0', 'schedule cannot contain BYSECOND: habits happen on local dates; set the time of day with reminderTime.'],
    ['FREQ=FORTNIGHTLY', 'schedule has an unknown FREQ "FORTNIGHTLY"; use DAILY, WEEKLY, MONTHLY or YEARLY.'],
    ['BYDAY=MO', 'schedule needs FREQ, e.g. "FREQ=DAILY" or "FREQ=WEEKLY;BYDAY=MO,WE,FR".'],
    ['FREQ=DAILY;;', 'schedule has a malformed part ""; every part must look like NAME=VALUE, separated by ";".'],
    ['FREQ=DAILY;X-PAD=1', 'schedule has an unknown or unsupported part X-PAD; supported: FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS, WKST.'],
    ['FREQ=DAILY;INTERVAL=0', 'schedule: INTERVAL must be a whole number between 1 and 366; got "0".'],
    ['FREQ=WEEKLY;BYDAY=XX', 'schedule: BYDAY values must be weekdays MO, TU, WE, TH, FR, SA, SU (optionally with an ordinal like 1MO or -1FR for MONTHLY/YEARLY); got "XX".'],
    ['FREQ=WEEKLY;BYDAY=1MO', 'schedule: BYDAY ordinals such as "1MO" only make sense with FREQ=MONTHLY or FREQ=YEARLY.'],
    ['FREQ=DAILY;COUNT=3;UNTIL=20270101', 'schedule cannot have both COUNT and UNTIL (RFC 5545); keep one.'],
    ['FREQ=DAILY;UNTIL=20270101T000000Z', 'schedule: UNTIL must be a date in the form YYYYMMDD (habits happen on local dates); got "20270101T000000Z".'],
    ['FREQ=DAILY;UNTIL=20270231', 'schedule: UNTIL 20270231 is not a calendar date.'],
    ['FREQ=DAILY;FREQ=WEEKLY', 'schedule has FREQ twice.'],
    ['FREQ=MONTHLY;BYMONTHDAY=0', 'BYMONTHDAY values must be between -31 and 31 (not 0); got 0.'],
    ['FREQ=YEARLY;BYYEARDAY=100', 'schedule: BYYEARDAY is not supported; use BYMONTH with BYMONTHDAY.'],
    ['DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY', 'schedule must be a single RRULE line; DTSTART and EXDATE lines are not supported (use startDate).'],
    ['', 'schedule must not be empty; use an RRULE such as "FREQ=DAILY" or "FREQ=WEEKLY;BYDAY=MO,WE,FR".'],
  ])('rejects %j with a precise message', (rule, message) => {
    expect(rejection(() => parseSchedule(rule))).toEqual({ message, code: 'BAD_USER_INPUT', field: 'schedule' });
  });

  it('allows 500 characters and rejects 501', () => {
    const long = `FREQ=YEARLY;BYMONTHDAY=${Array.from({ length: 200 }, () => '1').join(',')}`;
    expect(rejection(() => parseSchedule(long.padEnd(501, '1'))).message).toBe('schedule can have at most 500 characters.');
  });
});

describe('occurrences on local dates', () => {
  const weekdays = parseSchedule('FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR');

  it('gives weekdays only, the same dates whatever DST does (Europe 2026-03-29, US 2026-03-08)', () => {
    expect(occurrencesBetween(weekdays, '2026-03-25', '2026-03-25', '2026-04-01')).toEqual(['2026-03-25', '2026-03-26', '2026-03-27', '2026-03-30', '2026-03-31', '2026-04-01']);
    expect(occurrencesBetween(weekdays, '2026-03-01', '2026-03-06', '2026-03-10')).toEqual(['2026-03-06', '2026-03-09', '2026-03-10']);
  });

  it('counts INTERVAL from the start date and never before it', () => {
    expect(occurrencesBetween(parseSchedule('FREQ=DAILY;INTERVAL=2'), '2026-01-02', '2025-12-25', '2026-01-09')).toEqual(['2026-01-02', '2026-01-04', '2026-01-06', '2026-01-08']);
    expect(occurrencesBetween(parseSchedule('FREQ=MONTHLY;BYDAY=-1FR'), '2026-01-01', '2026-01-01', '2026-04-30')).toEqual(['2026-01-30', '2026-02-27', '2026-03-27', '2026-04-24']);
    expect(occurrencesBetween(parseSchedule('FREQ=DAILY;COUNT=3'), '2026-05-01', '2026-05-01', '2026-05-31')).toEqual(['2026-05-01', '2026-05-02', '2026-05-03']);
    expect(occurrencesBetween(parseSchedule('FREQ=DAILY;UNTIL=20260503'), '2026-05-01', '2026-05-01', '2026-05-31')).toEqual(['2026-05-01', '2026-05-02', '2026-05-03']);
  });

  it('describes schedules in English', () => {
    expect(describeSchedule({ schedule: weekdays, startDate: '2026-01-01', timesPerWeek: null })).toBe('every weekday');
    expect(describeSchedule({ schedule: parseSchedule('FREQ=WEEKLY'), startDate: '2026-01-01', timesPerWeek: 3 })).toBe('3 days a week, any days (every week)');
  });
});

describe('timesPerWeek (N times a week, any days)', () => {
  const weekly = parseSchedule('FREQ=WEEKLY');

  it('needs FREQ=WEEKLY without BYDAY and 1..7', () => {
    expect(validateTimesPerWeek(3, weekly)).toBe(3);
    expect(validateTimesPerWeek(null, parseSchedule('FREQ=DAILY'))).toBeNull();
    expect(rejection(() => validateTimesPerWeek(8, weekly))).toEqual({ message: 'timesPerWeek must be a whole number between 1 and 7; got 8.', code: 'BAD_USER_INPUT', field: 'timesPerWeek' });
    expect(rejection(() => validateTimesPerWeek(3, parseSchedule('FREQ=WEEKLY;BYDAY=MO')))).toMatchObject({ field: 'schedule', message: expect.stringContaining('With timesPerWeek the schedule must be FREQ=WEEKLY') });
  });

  it('makes one period per ISO week, the first one shortened to the start date', () => {
    const habit = { schedule: weekly, startDate: '2026-03-26', timesPerWeek: 3 }; // a Thursday
    expect(periodsBetween(habit, '2026-03-20', '2026-04-12')).toEqual([
      { start: '2026-03-26', end: '2026-03-29', required: 3 },
      { start: '2026-03-30', end: '2026-04-05', required: 3 },
      { start: '2026-04-06', end: '2026-04-12', required: 3 },
    ]);
    expect(periodsBetween({ ...habit, startDate: '2026-03-28' }, '2026-03-28', '2026-03-29')).toEqual([{ start: '2026-03-28', end: '2026-03-29', required: 2 }]);
    const biweekly = { schedule: parseSchedule('FREQ=WEEKLY;INTERVAL=2'), startDate: '2026-03-30', timesPerWeek: 2 };
    expect(periodsBetween(biweekly, '2026-03-30', '2026-04-26').map((p) => p.start)).toEqual(['2026-03-30', '2026-04-13']);
    expect(isCheckInDate(biweekly, '2026-04-08')).toBe(false);
    expect(isCheckInDate(biweekly, '2026-04-18')).toBe(true);
  });
});
