import { rejection } from '@flowforge/testing';
import { expandOccurrences, isOccurrenceStart, normalizeRrule, type SeriesLike } from '../src/domain/recurrence.js';

const ctx = (startsAt: string, timezone = 'Europe/Berlin', allDay = false, startDate: string | null = null) => ({ startsAt: new Date(startsAt), timezone, allDay, startDate });
const range = (from: string, to: string) => ({ start: Date.parse(from), end: Date.parse(to) });

function series(overrides: Partial<SeriesLike> & Pick<SeriesLike, 'startsAt' | 'endsAt'>): SeriesLike {
  return { timezone: 'Europe/Berlin', allDay: false, startDate: null, endDate: null, rrule: null, exdates: [], ...overrides };
}

describe('normalizeRrule', () => {
  it('canonicalizes case, prefix and order', () => {
    expect(normalizeRrule('RRULE:byday=MO,we;freq=weekly;interval=2', ctx('2026-03-02T08:00:00Z'))).toBe('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE');
    expect(normalizeRrule('FREQ=MONTHLY;BYDAY=-1FR', ctx('2026-03-02T08:00:00Z'))).toBe('FREQ=MONTHLY;BYDAY=-1FR');
  });

  it('stores UNTIL in UTC for timed series and as a date for all-day ones', () => {
    // A date-only UNTIL means "through that local day".
    expect(normalizeRrule('FREQ=DAILY;UNTIL=20260310', ctx('2026-03-02T08:00:00Z'))).toBe('FREQ=DAILY;UNTIL=20260310T225959Z');
    expect(normalizeRrule('FREQ=DAILY;UNTIL=20260310T120000Z', ctx('2026-03-01T23:00:00Z', 'Europe/Berlin', true, '2026-03-02'))).toBe('FREQ=DAILY;UNTIL=20260310');
  });

  it.each([
    ['', 'recurrence must be an RRULE such as "FREQ=WEEKLY;BYDAY=MO,WE" (at most 500 characters).'],
    ['BYDAY=MO', 'recurrence needs FREQ (DAILY, WEEKLY, MONTHLY or YEARLY).'],
    ['FREQ=MINUTELY', 'recurrence FREQ=MINUTELY is not supported; use DAILY, WEEKLY, MONTHLY or YEARLY.'],
    ['FREQ=DAILY;FOO=1', 'recurrence: FOO is not supported; use FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS, WKST.'],
    ['FREQ=DAILY;INTERVAL=0', 'recurrence INTERVAL must be a comma-separated list of whole numbers from 1 to 1000 (not 0); got "0".'],
    ['FREQ=DAILY;COUNT=5;UNTIL=20270101', 'recurrence can have COUNT or UNTIL, not both.'],
    ['FREQ=WEEKLY;BYDAY=XX', 'recurrence BYDAY must list weekdays like MO,WE (or 1MO, -1FR for monthly and yearly rules); got "XX".'],
    ['FREQ=WEEKLY;BYDAY=1MO', 'recurrence BYDAY positions (like 1MO) need FREQ=MONTHLY or YEARLY.'],
    ['FREQ=DAILY;UNTIL=20200101', 'recurrence UNTIL is before the event starts.'],
    ['FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', 'recurrence never produces an occurrence (check BYMONTH, BYMONTHDAY, BYDAY and UNTIL).'],
    ['FREQ=DAILY;FREQ=WEEKLY', 'recurrence has FREQ twice.'],
    ['FREQ=DAILY\nDTSTART:20260101', 'recurrence must be a single RRULE line (no DTSTART, EXDATE or line breaks).'],
  ])('rejects %j', (rule, message) => {
    expect(rejection(() => normalizeRrule(rule, ctx('2026-03-02T08:00:00Z')))).toEqual({ message, code: 'BAD_USER_INPUT', field: 'recurrence' });
  });
});

describe('expandOccurrences', () => {
  it('keeps the local time across the DST change (Europe/Berlin, March 2026)', () => {
    const weekly = series({ startsAt: new Date('2026-03-23T08:00:00Z'), endsAt: new Date('2026-03-23T09:00:00Z'), rrule: 'FREQ=WEEKLY;BYDAY=MO,WE' });
    const list = expandOccurrences(weekly, range('2026-03-20T00:00:00Z', '2026-04-07T00:00:00Z'));
    expect(list.map((o) => new Date(o.start).toISOString())).toEqual([
      '2026-03-23T08:00:00.000Z', '2026-03-25T08:00:00.000Z', // 09:00 CET
      '2026-03-30T07:00:00.000Z', '2026-04-01T07:00:00.000Z', '2026-04-06T07:00:00.000Z', // 09:00 CEST
    ]);
    expect(list.every((o) => o.end - o.start === 3_600_000)).toBe(true);
  });

  it('honours COUNT, UNTIL, EXDATE and skipped (edited) occurrences', () => {
    const daily = series({ startsAt: new Date('2026-11-02T15:00:00Z'), endsAt: new Date('2026-11-02T15:30:00Z'), rrule: 'FREQ=DAILY;COUNT=5', exdates: [new Date('2026-11-03T15:00:00Z')] });
    const list = expandOccurrences(daily, range('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z'), new Set([Date.parse('2026-11-05T15:00:00Z')]));
    expect(list.map((o) => new Date(o.start).toISOString().slice(0, 10))).toEqual(['2026-11-02', '2026-11-04', '2026-11-06']);
    expect(isOccurrenceStart(daily, new Date('2026-11-04T15:00:00Z'))).toBe(true);
    expect(isOccurrenceStart(daily, new Date('2026-11-04T15:01:00Z'))).toBe(false);
    expect(isOccurrenceStart(daily, new Date('2026-11-07T15:00:00Z'))).toBe(false); // after COUNT
  });

  it('expands all-day series by local date, spanning their days', () => {
    const event = series({ timezone: 'America/New_York', allDay: true, startDate: '2026-03-06', endDate: '2026-03-07', startsAt: new Date('2026-03-06T05:00:00Z'), endsAt: new Date('2026-03-08T05:00:00Z'), rrule: 'FREQ=WEEKLY' });
    const list = expandOccurrences(event, range('2026-03-01T00:00:00Z', '2026-03-20T00:00:00Z'));
    expect(list.map((o) => [o.startDate, o.endDate, new Date(o.start).toISOString(), new Date(o.end).toISOString()])).toEqual([
      ['2026-03-06', '2026-03-07', '2026-03-06T05:00:00.000Z', '2026-03-08T05:00:00.000Z'],
      // DST starts on 8 March in New York: 13 March midnight is EDT.
      ['2026-03-13', '2026-03-14', '2026-03-13T04:00:00.000Z', '2026-03-15T04:00:00.000Z'],
    ]);
  });

  it('returns a single event when it overlaps the range', () => {
    const single = series({ startsAt: new Date('2026-11-02T15:00:00Z'), endsAt: new Date('2026-11-02T16:00:00Z') });
    expect(expandOccurrences(single, range('2026-11-02T15:30:00Z', '2026-11-03T00:00:00Z'))).toHaveLength(1);
    expect(expandOccurrences(single, range('2026-11-02T16:00:00Z', '2026-11-03T00:00:00Z'))).toHaveLength(0);
  });
});
