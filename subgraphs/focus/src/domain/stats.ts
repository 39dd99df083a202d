/**
 * Pure statistics for focus sessions, computed in the user's time zone.
 * Only Node built-ins are used: time zone conversion goes through
 * `Intl.DateTimeFormat` with an explicit `timeZone`.
 *
 * Local calendar days are represented as 'YYYY-MM-DD' strings.
 */
import { assertValidTimeZone, dayNumber, formatDayNumber, isoWeekdayIndex, localDate } from '@flowforge/time';
import { DomainError, type SessionState } from './session.js';

export interface SessionForStats {
  startedAt: Date;
  endedAt: Date | null;
  actualMinutes: number | null;
  rating: number | null;
  state: SessionState;
}

export interface DailyStat {
  date: string;
  focusMinutes: number;
  sessions: number;
  averageRating: number | null;
}

export interface WeeklyStat {
  /** The Monday (local date) that starts the ISO week. */
  weekStart: string;
  focusMinutes: number;
  sessions: number;
  averageRating: number | null;
}

export interface StatsRangeOptions {
  timeZone: string;
  /** 'YYYY-MM-DD', inclusive. */
  from: string;
  /** 'YYYY-MM-DD', inclusive. */
  to: string;
}

export interface StreakOptions {
  timeZone: string;
  /** The user's current local date, 'YYYY-MM-DD'. */
  today: string;
}

export interface FocusStreak {
  current: number;
  longest: number;
}

export const MAX_RANGE_DAYS = 366;

// ---------------------------------------------------------------------------
// Aggregation
// ---------------------------------------------------------------------------

interface Bucket {
  focusMinutes: number;
  sessions: number;
  ratingSum: number;
  ratingCount: number;
}

function emptyBucket(): Bucket {
  return { focusMinutes: 0, sessions: 0, ratingSum: 0, ratingCount: 0 };
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

function finish(bucket: Bucket): { focusMinutes: number; sessions: number; averageRating: number | null } {
  return {
    focusMinutes: round(bucket.focusMinutes, 1),
    sessions: bucket.sessions,
    averageRating: bucket.ratingCount === 0 ? null : round(bucket.ratingSum / bucket.ratingCount, 2),
  };
}

function parseRange(options: StatsRangeOptions): { from: number; to: number } {
  assertValidTimeZone(options.timeZone);
  const from = dayNumber(options.from, 'from');
  const to = dayNumber(options.to, 'to');
  if (to < from) {
    throw new DomainError('BAD_USER_INPUT', `from (${options.from}) must not be after to (${options.to}).`);
  }
  const days = to - from + 1;
  if (days > MAX_RANGE_DAYS) {
    throw new DomainError(
      'BAD_USER_INPUT',
      `The date range may cover at most ${MAX_RANGE_DAYS} days; ${options.from}..${options.to} covers ${days}. Choose a shorter range.`,
    );
  }
  return { from, to };
}

/** Local day numbers of COMPLETED sessions, paired with the session. */
function* completedByLocalDay(
  sessions: readonly SessionForStats[],
  timeZone: string,
): Generator<[number, SessionForStats]> {
  for (const s of sessions) {
    if (s.state !== 'COMPLETED') continue;
    yield [dayNumber(localDate(s.startedAt, timeZone), 'startedAt'), s];
  }
}

function addToBucket(bucket: Bucket, s: SessionForStats): void {
  bucket.sessions += 1;
  bucket.focusMinutes += s.actualMinutes ?? 0;
  if (s.rating !== null) {
    bucket.ratingSum += s.rating;
    bucket.ratingCount += 1;
  }
}

/**
 * One entry per local day in [from, to] (inclusive), zeros for empty days.
 * Only COMPLETED sessions count, on the local day (in `timeZone`) of their
 * `startedAt`; `focusMinutes` is the sum of their `actualMinutes`.
 * `averageRating` is the mean of the rated sessions (2 decimals), or null.
 */
export function dailyStats(sessions: readonly SessionForStats[], options: StatsRangeOptions): DailyStat[] {
  const { from, to } = parseRange(options);
  const buckets: Bucket[] = Array.from({ length: to - from + 1 }, emptyBucket);
  for (const [day, s] of completedByLocalDay(sessions, options.timeZone)) {
    const bucket = buckets[day - from];
    if (bucket !== undefined) addToBucket(bucket, s);
  }
  return buckets.map((b, i) => ({ date: formatDayNumber(from + i), ...finish(b) }));
}

/**
 * One entry per ISO week (keyed by its Monday) overlapping [from, to]. Only
 * sessions on local days inside [from, to] count, so the first and last
 * week may be partial. Same counting rules as {@link dailyStats}.
 */
export function weeklyStats(sessions: readonly SessionForStats[], options: StatsRangeOptions): WeeklyStat[] {
  const { from, to } = parseRange(options);
  const firstWeek = from - isoWeekdayIndex(from);
  const lastWeek = to - isoWeekdayIndex(to);
  const buckets: Bucket[] = Array.from({ length: (lastWeek - firstWeek) / 7 + 1 }, emptyBucket);
  for (const [day, s] of completedByLocalDay(sessions, options.timeZone)) {
    if (day < from || day > to) continue;
    const bucket = buckets[(day - isoWeekdayIndex(day) - firstWeek) / 7];
    if (bucket !== undefined) addToBucket(bucket, s);
  }
  return buckets.map((b, i) => ({ weekStart: formatDayNumber(firstWeek + i * 7), ...finish(b) }));
}

/**
 * Streaks of consecutive local days with at least one COMPLETED session.
 *
 * `current` counts back from `today`, or from yesterday if there is no
 * session today yet (a streak isn't broken until the day is over).
 * `longest` is the longest run on or before `today` (always >= current).
 * Sessions on local days after `today` are ignored.
 */
export function focusStreak(sessions: readonly SessionForStats[], options: StreakOptions): FocusStreak {
  assertValidTimeZone(options.timeZone);
  const today = dayNumber(options.today, 'today');
  const days = new Set<number>();
  for (const [day] of completedByLocalDay(sessions, options.timeZone)) {
    if (day <= today) days.add(day);
  }

  let current = 0;
  let cursor = days.has(today) ? today : today - 1;
  while (days.has(cursor)) {
    current += 1;
    cursor -= 1;
  }

  let longest = 0;
  let run = 0;
  let prev = Number.NaN;
  for (const day of [...days].sort((a, b) => a - b)) {
    run = day === prev + 1 ? run + 1 : 1;
    if (run > longest) longest = run;
    prev = day;
  }

  return { current, longest };
}
