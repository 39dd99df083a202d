import { thrown } from '@flowforge/testing';
import { DomainError, type SessionState } from '../../src/domain/session.js';
import { addDays, isValidTimeZone, localDate, localDayBounds, TimeError, weekStart } from '@flowforge/time';
import {
  dailyStats,
  focusStreak,
  weeklyStats,
  type SessionForStats,
} from '../../src/domain/stats.js';

const HOUR = 3_600_000;

function session(
  startedAtIso: string,
  actualMinutes: number | null = 25,
  rating: number | null = null,
  state: SessionState = 'COMPLETED',
): SessionForStats {
  const startedAt = new Date(startedAtIso);
  return {
    startedAt,
    endedAt: state === 'COMPLETED' ? new Date(startedAt.getTime() + (actualMinutes ?? 0) * 60_000) : null,
    actualMinutes: state === 'COMPLETED' ? actualMinutes : null,
    rating,
    state,
  };
}

// Domain rules throw DomainError, time-zone helpers TimeError: both carry a public code.
const catchError = (fn: () => unknown) => thrown(fn, Error) as Error & { code: string };

function bounds(date: string, tz: string): [string, string, number] {
  const { start, end } = localDayBounds(date, tz);
  return [start.toISOString(), end.toISOString(), (end.getTime() - start.getTime()) / HOUR];
}

describe('isValidTimeZone', () => {
  it('accepts IANA names and rejects garbage', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Pacific/Chatham')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone(undefined)).toBe(false);
  });

  it('functions taking a time zone reject unknown ones with BAD_USER_INPUT', () => {
    const err = catchError(() => localDate(new Date('2026-01-01T00:00:00Z'), 'Mars/Olympus_Mons'));
    expect(err.code).toBe('BAD_USER_INPUT');
    expect(err.message).toBe(
      'timeZone "Mars/Olympus_Mons" is not a known time zone; use an IANA name such as "Europe/Berlin" or "America/New_York".',
    );
    expect(() => dailyStats([], { timeZone: 'Nope/Nope', from: '2026-01-01', to: '2026-01-01' })).toThrow(TimeError);
    expect(() => localDayBounds('2026-01-01', 'Nope/Nope')).toThrow(TimeError);
  });
});

describe('localDate', () => {
  it('uses the zone offset in effect at that instant (DST days)', () => {
    // America/New_York 2026-03-08 (spring forward): 23:30 EDT = 03:30Z on 03-09
    expect(localDate(new Date('2026-03-09T03:30:00Z'), 'America/New_York')).toBe('2026-03-08');
    // 2026-03-09 00:30 EDT = 04:30Z
    expect(localDate(new Date('2026-03-09T04:30:00Z'), 'America/New_York')).toBe('2026-03-09');
    // 2026-11-01 (fall back): 23:30 EST = 04:30Z on 11-02 (with the stale EDT offset it would be 00:30 on 11-02)
    expect(localDate(new Date('2026-11-02T04:30:00Z'), 'America/New_York')).toBe('2026-11-01');
    // Europe/Berlin 2026-03-29 (spring forward): 23:30 CEST = 21:30Z
    expect(localDate(new Date('2026-03-29T21:30:00Z'), 'Europe/Berlin')).toBe('2026-03-29');
    expect(localDate(new Date('2026-03-29T22:00:00Z'), 'Europe/Berlin')).toBe('2026-03-30');
  });

  it('puts 11:00 UTC on the next calendar day in Pacific/Tongatapu (UTC+13)', () => {
    expect(localDate(new Date('2026-05-10T10:59:59Z'), 'Pacific/Tongatapu')).toBe('2026-05-10');
    expect(localDate(new Date('2026-05-10T11:00:00Z'), 'Pacific/Tongatapu')).toBe('2026-05-11');
  });

  it('handles UTC+14, UTC+12:45 and the Apia date-line jump', () => {
    expect(localDate(new Date('2026-05-31T09:59:00Z'), 'Pacific/Kiritimati')).toBe('2026-05-31');
    expect(localDate(new Date('2026-05-31T10:00:00Z'), 'Pacific/Kiritimati')).toBe('2026-06-01');
    // Chatham winter (+12:45): 11:14Z = 23:59 local, 11:15Z = 00:00 next day
    expect(localDate(new Date('2026-06-30T11:14:00Z'), 'Pacific/Chatham')).toBe('2026-06-30');
    expect(localDate(new Date('2026-06-30T11:15:00Z'), 'Pacific/Chatham')).toBe('2026-07-01');
    // Apia skipped 2011-12-30: one second apart, two calendar days apart
    expect(localDate(new Date('2011-12-30T09:59:59Z'), 'Pacific/Apia')).toBe('2011-12-29');
    expect(localDate(new Date('2011-12-30T10:00:00Z'), 'Pacific/Apia')).toBe('2011-12-31');
  });
});

describe('localDayBounds', () => {
  it('gives 23h and 25h days at America/New_York DST changes', () => {
    expect(bounds('2026-03-07', 'America/New_York')).toEqual(['2026-03-07T05:00:00.000Z', '2026-03-08T05:00:00.000Z', 24]);
    expect(bounds('2026-03-08', 'America/New_York')).toEqual(['2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z', 23]);
    expect(bounds('2026-11-01', 'America/New_York')).toEqual(['2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z', 25]);
  });

  it('gives 23h and 25h days at Europe/Berlin DST changes', () => {
    expect(bounds('2026-03-29', 'Europe/Berlin')).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', 23]);
    expect(bounds('2026-10-25', 'Europe/Berlin')).toEqual(['2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z', 25]);
  });

  it('handles far-east zones and quarter-hour offsets', () => {
    expect(bounds('2026-06-01', 'Pacific/Kiritimati')).toEqual(['2026-05-31T10:00:00.000Z', '2026-06-01T10:00:00.000Z', 24]);
    expect(bounds('2026-05-11', 'Pacific/Tongatapu')).toEqual(['2026-05-10T11:00:00.000Z', '2026-05-11T11:00:00.000Z', 24]);
    expect(bounds('2026-07-01', 'Pacific/Apia')).toEqual(['2026-06-30T11:00:00.000Z', '2026-07-01T11:00:00.000Z', 24]);
    expect(bounds('2026-07-01', 'Pacific/Chatham')).toEqual(['2026-06-30T11:15:00.000Z', '2026-07-01T11:15:00.000Z', 24]);
    // Chatham DST ends 2026-04-05 (+13:45 → +12:45) and starts 2026-09-27 (+12:45 → +13:45)
    expect(bounds('2026-04-05', 'Pacific/Chatham')).toEqual(['2026-04-04T10:15:00.000Z', '2026-04-05T11:15:00.000Z', 25]);
    expect(bounds('2026-09-27', 'Pacific/Chatham')).toEqual(['2026-09-26T11:15:00.000Z', '2026-09-27T10:15:00.000Z', 23]);
  });

  it('gives an empty interval for a day the zone skipped, and handles a DST gap at midnight', () => {
    expect(bounds('2011-12-29', 'Pacific/Apia')).toEqual(['2011-12-29T10:00:00.000Z', '2011-12-30T10:00:00.000Z', 24]);
    expect(bounds('2011-12-30', 'Pacific/Apia')).toEqual(['2011-12-30T10:00:00.000Z', '2011-12-30T10:00:00.000Z', 0]);
    expect(bounds('2011-12-31', 'Pacific/Apia')).toEqual(['2011-12-30T10:00:00.000Z', '2011-12-31T10:00:00.000Z', 24]);
    // São Paulo 2018-11-04: clocks jumped 00:00 → 01:00 (-03 → -02), so the day starts at 01:00 local = 03:00Z
    expect(bounds('2018-11-04', 'America/Sao_Paulo')).toEqual(['2018-11-04T03:00:00.000Z', '2018-11-05T02:00:00.000Z', 23]);
  });

  it('rejects malformed dates', () => {
    const err = catchError(() => localDayBounds('2026-02-30', 'UTC'));
    expect(err.code).toBe('BAD_USER_INPUT');
    expect(err.message).toBe('date must be a calendar date in the form YYYY-MM-DD; got "2026-02-30".');
  });
});

describe('weekStart / addDays', () => {
  it('returns the Monday of the ISO week', () => {
    expect(weekStart('2026-03-29', 1)).toBe('2026-03-23'); // Sunday
    expect(weekStart('2026-03-30', 1)).toBe('2026-03-30'); // Monday
    expect(weekStart('2026-03-31', 1)).toBe('2026-03-30'); // Tuesday
    expect(weekStart('2026-01-01', 1)).toBe('2025-12-29'); // Thursday, across a year boundary
    expect(weekStart('2024-02-29', 1)).toBe('2024-02-26'); // leap day, Thursday
    expect(weekStart('2026-03-29')).toBe('2026-03-23');
  });

  it('adds days across month and year boundaries', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});

describe('dailyStats', () => {
  it('returns every day in the range, zeros for empty days, only COMPLETED sessions', () => {
    const sessions = [
      session('2026-03-02T08:00:00Z', 25.3, 4),
      session('2026-03-02T12:00:00Z', 10.1, 5),
      session('2026-03-02T15:00:00Z', 50, null),
      session('2026-03-02T16:00:00Z', null, null, 'ACTIVE'),
      session('2026-03-03T09:00:00Z', null, 3, 'PAUSED'),
      session('2026-03-04T09:00:00Z', 5, 2),
      session('2026-03-05T09:00:00Z', 99, 5), // outside the range
    ];
    expect(dailyStats(sessions, { timeZone: 'UTC', from: '2026-03-01', to: '2026-03-04' })).toEqual([
      { date: '2026-03-01', focusMinutes: 0, sessions: 0, averageRating: null },
      { date: '2026-03-02', focusMinutes: 85.4, sessions: 3, averageRating: 4.5 },
      { date: '2026-03-03', focusMinutes: 0, sessions: 0, averageRating: null },
      { date: '2026-03-04', focusMinutes: 5, sessions: 1, averageRating: 2 },
    ]);
  });

  it('rounds the average rating to two decimals', () => {
    const sessions = [session('2026-03-02T08:00:00Z', 10, 4), session('2026-03-02T09:00:00Z', 10, 4), session('2026-03-02T10:00:00Z', 10, 5)];
    expect(dailyStats(sessions, { timeZone: 'UTC', from: '2026-03-02', to: '2026-03-02' })).toEqual([
      { date: '2026-03-02', focusMinutes: 30, sessions: 3, averageRating: 4.33 },
    ]);
  });

  it('assigns sessions to the local day across the America/New_York spring-forward day', () => {
    const sessions = [
      session('2026-03-08T05:30:00Z', 20), // 03-08 00:30 EST
      session('2026-03-09T03:30:00Z', 30), // 03-08 23:30 EDT (UTC date is 03-09)
      session('2026-03-09T04:30:00Z', 40), // 03-09 00:30 EDT
    ];
    expect(dailyStats(sessions, { timeZone: 'America/New_York', from: '2026-03-07', to: '2026-03-09' })).toEqual([
      { date: '2026-03-07', focusMinutes: 0, sessions: 0, averageRating: null },
      { date: '2026-03-08', focusMinutes: 50, sessions: 2, averageRating: null },
      { date: '2026-03-09', focusMinutes: 40, sessions: 1, averageRating: null },
    ]);
  });

  it('counts a 11:00 UTC session for a Pacific/Tongatapu user on the next calendar day', () => {
    const sessions = [session('2026-05-10T11:00:00Z', 25, 5)];
    expect(dailyStats(sessions, { timeZone: 'Pacific/Tongatapu', from: '2026-05-10', to: '2026-05-11' })).toEqual([
      { date: '2026-05-10', focusMinutes: 0, sessions: 0, averageRating: null },
      { date: '2026-05-11', focusMinutes: 25, sessions: 1, averageRating: 5 },
    ]);
    // the same session for a UTC user is on 05-10
    expect(dailyStats(sessions, { timeZone: 'UTC', from: '2026-05-10', to: '2026-05-11' })).toEqual([
      { date: '2026-05-10', focusMinutes: 25, sessions: 1, averageRating: 5 },
      { date: '2026-05-11', focusMinutes: 0, sessions: 0, averageRating: null },
    ]);
  });

  it('allows up to 366 days and rejects longer or inverted ranges', () => {
    expect(dailyStats([], { timeZone: 'UTC', from: '2024-01-01', to: '2024-12-31' })).toHaveLength(366);

    const tooLong = catchError(() => dailyStats([], { timeZone: 'UTC', from: '2026-01-01', to: '2027-01-02' }));
    expect(tooLong.code).toBe('BAD_USER_INPUT');
    expect(tooLong.message).toBe(
      'The date range may cover at most 366 days; 2026-01-01..2027-01-02 covers 367. Choose a shorter range.',
    );

    const inverted = catchError(() => dailyStats([], { timeZone: 'UTC', from: '2026-03-02', to: '2026-03-01' }));
    expect(inverted.message).toBe('from (2026-03-02) must not be after to (2026-03-01).');

    const malformed = catchError(() => dailyStats([], { timeZone: 'UTC', from: '2026-3-1', to: '2026-03-01' }));
    expect(malformed.message).toBe('from must be a calendar date in the form YYYY-MM-DD; got "2026-3-1".');
  });
});

describe('weeklyStats', () => {
  it('splits weeks at local Monday 00:00, not UTC (Europe/Berlin)', () => {
    const sessions = [
      session('2026-03-23T08:00:00Z', 45, null), // Mon 03-23 09:00 CET
      session('2026-03-29T21:00:00Z', 30, 4), // Sun 03-29 23:00 CEST
      session('2026-03-29T22:30:00Z', 20, 5), // Mon 03-30 00:30 CEST (still Sunday in UTC)
    ];
    expect(weeklyStats(sessions, { timeZone: 'Europe/Berlin', from: '2026-03-23', to: '2026-04-05' })).toEqual([
      { weekStart: '2026-03-23', focusMinutes: 75, sessions: 2, averageRating: 4 },
      { weekStart: '2026-03-30', focusMinutes: 20, sessions: 1, averageRating: 5 },
    ]);
  });

  it('keeps Sunday 23:00 EST on the fall-back day in the old week (America/New_York)', () => {
    const sessions = [
      session('2026-11-02T04:00:00Z', 30), // Sun 11-01 23:00 EST
      session('2026-11-02T05:00:00Z', 15), // Mon 11-02 00:00 EST
    ];
    expect(weeklyStats(sessions, { timeZone: 'America/New_York', from: '2026-10-26', to: '2026-11-08' })).toEqual([
      { weekStart: '2026-10-26', focusMinutes: 30, sessions: 1, averageRating: null },
      { weekStart: '2026-11-02', focusMinutes: 15, sessions: 1, averageRating: null },
    ]);
  });

  it('covers partial weeks at the range edges and ignores days outside the range', () => {
    const sessions = [
      session('2026-03-24T12:00:00Z', 60), // Tue, before `from`
      session('2026-03-25T12:00:00Z', 10), // Wed = from
      session('2026-04-01T12:00:00Z', 20), // Wed = to
      session('2026-04-02T12:00:00Z', 70), // Thu, after `to`
    ];
    expect(weeklyStats(sessions, { timeZone: 'UTC', from: '2026-03-25', to: '2026-04-01' })).toEqual([
      { weekStart: '2026-03-23', focusMinutes: 10, sessions: 1, averageRating: null },
      { weekStart: '2026-03-30', focusMinutes: 20, sessions: 1, averageRating: null },
    ]);
  });

  it('returns empty weeks with zeros', () => {
    expect(weeklyStats([], { timeZone: 'UTC', from: '2026-03-01', to: '2026-03-10' })).toEqual([
      { weekStart: '2026-02-23', focusMinutes: 0, sessions: 0, averageRating: null },
      { weekStart: '2026-03-02', focusMinutes: 0, sessions: 0, averageRating: null },
      { weekStart: '2026-03-09', focusMinutes: 0, sessions: 0, averageRating: null },
    ]);
  });
});

describe('focusStreak', () => {
  const history = [
    session('2026-03-01T10:00:00Z'),
    session('2026-03-02T10:00:00Z'),
    session('2026-03-02T18:00:00Z'), // second session on the same day counts once
    session('2026-03-03T10:00:00Z'),
    session('2026-03-04T10:00:00Z'), // run of 4: 03-01..03-04
    session('2026-03-06T10:00:00Z'),
    session('2026-03-08T10:00:00Z'),
    session('2026-03-09T10:00:00Z'), // run of 2: 03-08..03-09
  ];

  it('does not break the current streak before today is over', () => {
    expect(focusStreak(history, { timeZone: 'UTC', today: '2026-03-10' })).toEqual({ current: 2, longest: 4 });
  });

  it('includes today once there is a completed session today', () => {
    const sessions = [...history, session('2026-03-10T07:00:00Z')];
    expect(focusStreak(sessions, { timeZone: 'UTC', today: '2026-03-10' })).toEqual({ current: 3, longest: 4 });
  });

  it('is 0 when neither today nor yesterday has a session', () => {
    expect(focusStreak(history, { timeZone: 'UTC', today: '2026-03-11' })).toEqual({ current: 0, longest: 4 });
  });

  it('ignores non-completed sessions and sessions after today', () => {
    const sessions = [
      ...history,
      session('2026-03-10T07:00:00Z', null, null, 'ACTIVE'),
      session('2026-03-05T07:00:00Z', null, null, 'PAUSED'), // would join the runs if it counted
      session('2026-03-11T07:00:00Z'),
    ];
    expect(focusStreak(sessions, { timeZone: 'UTC', today: '2026-03-10' })).toEqual({ current: 2, longest: 4 });
  });

  it('uses local days of the user time zone', () => {
    const sessions = [
      session('2026-05-09T20:00:00Z'), // 05-10 09:00 in Tongatapu
      session('2026-05-10T11:30:00Z'), // 05-11 00:30 in Tongatapu
    ];
    expect(focusStreak(sessions, { timeZone: 'Pacific/Tongatapu', today: '2026-05-11' })).toEqual({ current: 2, longest: 2 });
    // In UTC the days are 05-09 and 05-10
    expect(focusStreak(sessions, { timeZone: 'UTC', today: '2026-05-11' })).toEqual({ current: 2, longest: 2 });
    expect(focusStreak(sessions, { timeZone: 'UTC', today: '2026-05-12' })).toEqual({ current: 0, longest: 2 });
    // Tongatapu days are 05-10 and 05-11: on 05-12 the streak is still alive (yesterday counts)
    expect(focusStreak(sessions, { timeZone: 'Pacific/Tongatapu', today: '2026-05-12' })).toEqual({ current: 2, longest: 2 });
    expect(focusStreak(sessions, { timeZone: 'Pacific/Tongatapu', today: '2026-05-13' })).toEqual({ current: 0, longest: 2 });
  });

  it('is zero for no sessions', () => {
    expect(focusStreak([], { timeZone: 'UTC', today: '2026-03-10' })).toEqual({ current: 0, longest: 0 });
  });
});
