/**
 * Pure statistics for focus sessions, computed in the user's time zone.
 * Only Node built-ins are used: time zone conversion goes through
 * `Intl.DateTimeFormat` with an explicit `timeZone`.
 *
 * Local calendar days are represented as 'YYYY-MM-DD' strings.
 */
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

const MS_PER_DAY = 86_400_000;

// ---------------------------------------------------------------------------
// Time zones
// ---------------------------------------------------------------------------

/** True if `tz` is a time zone name the runtime understands (IANA names, 'UTC', ...). */
export function isValidTimeZone(tz: unknown): tz is string {
  if (typeof tz !== 'string' || tz.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function assertValidTimeZone(tz: unknown): asserts tz is string {
  if (!isValidTimeZone(tz)) {
    throw new DomainError(
      'BAD_USER_INPUT',
      `timeZone "${String(tz)}" is not a known time zone; use an IANA name such as "Europe/Berlin" or "America/New_York".`,
    );
  }
}

const formatterCache = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let fmt = formatterCache.get(timeZone);
  if (fmt === undefined) {
    assertValidTimeZone(timeZone);
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatterCache.set(timeZone, fmt);
  }
  return fmt;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(epochMs: number, timeZone: string): WallClock {
  const parts = formatterFor(timeZone).formatToParts(new Date(epochMs));
  const out: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  let bc = false;
  for (const p of parts) {
    switch (p.type) {
      case 'year':
        out.year = Number(p.value);
        break;
      case 'month':
        out.month = Number(p.value);
        break;
      case 'day':
        out.day = Number(p.value);
        break;
      case 'hour':
        out.hour = Number(p.value) % 24; // guard against "24" from older ICU
        break;
      case 'minute':
        out.minute = Number(p.value);
        break;
      case 'second':
        out.second = Number(p.value);
        break;
      case 'era':
        bc = p.value.startsWith('B');
        break;
      default:
        break;
    }
  }
  if (bc) out.year = 1 - out.year;
  return out;
}

/** Date.UTC without the 0..99 → 1900..1999 year quirk. */
function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/** Offset of local wall-clock time from UTC at the given instant, in ms (e.g. +2h for CEST). */
function offsetMs(epochMs: number, timeZone: string): number {
  const floored = Math.floor(epochMs / 1000) * 1000; // Intl has second precision
  const w = wallClock(floored, timeZone);
  return utcMs(w.year, w.month, w.day, w.hour, w.minute, w.second) - floored;
}

/**
 * The first instant whose local wall-clock time in `timeZone` is at or after
 * `wallMs` (a wall-clock time encoded as if it were UTC).
 *
 * - Normal case: the unique instant showing that wall time.
 * - Ambiguous (clocks go back over it): the LATER occurrence, so every
 *   instant from the result onwards shows a wall time >= `wallMs`.
 * - Gap (clocks jump over it, e.g. a DST change at midnight or a skipped
 *   day): the instant of the jump itself.
 */
function firstInstantAtOrAfterWall(wallMs: number, timeZone: string): number {
  // Offsets bracketing the wall time (no zone has |offset| >= 24h, and we
  // assume at most one transition within ±1 day).
  const before = offsetMs(wallMs - MS_PER_DAY, timeZone);
  const after = offsetMs(wallMs + MS_PER_DAY, timeZone);

  let best: number | null = null;
  for (const candidateOffset of before === after ? [before] : [before, after]) {
    const t = wallMs - candidateOffset;
    if (offsetMs(t, timeZone) === candidateOffset && (best === null || t > best)) best = t;
  }
  if (best !== null) return best;

  // A gap: binary-search the transition, i.e. the smallest t with
  // wall(t) >= wallMs. At lo the wall clock is before wallMs, at hi after.
  let lo = wallMs - Math.max(before, after);
  let hi = wallMs - Math.min(before, after);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (mid + offsetMs(mid, timeZone) >= wallMs) hi = mid;
    else lo = mid;
  }
  return hi;
}

// ---------------------------------------------------------------------------
// Local dates
// ---------------------------------------------------------------------------

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 for a 'YYYY-MM-DD' string; throws on malformed or impossible dates. */
function dayNumber(date: string, field: string): number {
  const m = typeof date === 'string' ? DATE_RE.exec(date) : null;
  if (m !== null) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const d = Number(m[3]);
    const ms = utcMs(y, mo, d);
    const check = new Date(ms);
    if (check.getUTCFullYear() === y && check.getUTCMonth() === mo - 1 && check.getUTCDate() === d) {
      return Math.round(ms / MS_PER_DAY);
    }
  }
  throw new DomainError('BAD_USER_INPUT', `${field} must be a calendar date in the form YYYY-MM-DD; got "${String(date)}".`);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function formatDayNumber(n: number): string {
  const d = new Date(n * MS_PER_DAY);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** The local calendar date ('YYYY-MM-DD') of `instant` in `timeZone`. */
export function localDate(instant: Date, timeZone: string): string {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new DomainError('BAD_USER_INPUT', 'instant must be a valid date.');
  }
  const w = wallClock(instant.getTime(), timeZone);
  return `${pad(w.year, 4)}-${pad(w.month, 2)}-${pad(w.day, 2)}`;
}

/** Adds `days` (may be negative) to a 'YYYY-MM-DD' date. */
export function addDays(date: string, days: number): string {
  return formatDayNumber(dayNumber(date, 'date') + days);
}

/** Monday-based ISO weekday of a day number: 0 = Monday ... 6 = Sunday. */
function isoWeekdayIndex(day: number): number {
  // 1970-01-01 was a Thursday (index 3).
  return (((day + 3) % 7) + 7) % 7;
}

/**
 * The first day of the (ISO, Monday-based) week containing `localDate`.
 * Only Monday (`1`) is supported as week start.
 */
export function weekStart(localDate: string, weekStartsOn: 1 = 1): string {
  if (weekStartsOn !== 1) {
    throw new DomainError('BAD_USER_INPUT', `weekStartsOn must be 1 (Monday); got ${String(weekStartsOn)}.`);
  }
  const n = dayNumber(localDate, 'localDate');
  return formatDayNumber(n - isoWeekdayIndex(n));
}

/**
 * The UTC instants at which local day `date` starts (inclusive) and ends
 * (exclusive, = start of the next local day) in `timeZone`. Days are 23 or
 * 25 hours long around DST changes; a day a zone skipped entirely (e.g.
 * Pacific/Apia 2011-12-30) has `start === end`.
 */
export function localDayBounds(date: string, timeZone: string): { start: Date; end: Date } {
  assertValidTimeZone(timeZone);
  const n = dayNumber(date, 'date');
  const start = firstInstantAtOrAfterWall(n * MS_PER_DAY, timeZone);
  const end = firstInstantAtOrAfterWall((n + 1) * MS_PER_DAY, timeZone);
  return { start: new Date(start), end: new Date(end) };
}

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
