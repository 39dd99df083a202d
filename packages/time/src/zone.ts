/**
 * Time-zone arithmetic on Node's built-in Intl (no date library): local calendar dates as
 * 'YYYY-MM-DD' strings, the UTC instants where local days and wall-clock times fall, correct across
 * DST changes (23 and 25 hour days), skipped days and offsets such as +13:45.
 */

/** Bad input to a time function (unknown zone, impossible date); its code reaches the caller as BAD_USER_INPUT. */
export class TimeError extends Error {
  readonly code = 'BAD_USER_INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'TimeError';
  }
}

export const MS_PER_DAY = 86_400_000;

// ---------------------------------------------------------------------------
// Time zones
// ---------------------------------------------------------------------------

const zoneValidity = new Map<string, boolean>();

/**
 * True if `tz` is a time zone name the runtime understands (IANA names, 'UTC', ...). Building an
 * Intl.DateTimeFormat is costly and batches repeat a handful of zones, so answers are remembered.
 */
export function isValidTimeZone(tz: unknown): tz is string {
  if (typeof tz !== 'string' || tz.length === 0) return false;
  let valid = zoneValidity.get(tz);
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      valid = true;
    } catch {
      valid = false;
    }
    if (zoneValidity.size < 1_000) zoneValidity.set(tz, valid);
  }
  return valid;
}

export function assertValidTimeZone(tz: unknown): asserts tz is string {
  if (!isValidTimeZone(tz)) {
    throw new TimeError(
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

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall clock straight from Intl (slow: formatToParts costs several microseconds). */
export function intlWallClock(epochMs: number, timeZone: string): WallClock {
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

/** The wall-clock time of `epochMs` in `timeZone` (second precision), from the cached UTC offset. */
export function wallClock(epochMs: number, timeZone: string): WallClock {
  const floored = Math.floor(epochMs / 1000) * 1000;
  const d = new Date(floored + offsetMs(floored, timeZone));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
}

/** Date.UTC without the 0..99 → 1900..1999 year quirk. */
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/** Offset straight from Intl at the given instant, in ms. */
function intlOffsetMs(epochMs: number, timeZone: string): number {
  const floored = Math.floor(epochMs / 1000) * 1000; // Intl has second precision
  const w = intlWallClock(floored, timeZone);
  return utcMs(w.year, w.month, w.day, w.hour, w.minute, w.second) - floored;
}

const MS_PER_HOUR = 3_600_000;
/** Per zone: hour bucket -> the offset through that whole hour, or NaN when it holds a transition. */
const offsetCache = new Map<string, Map<number, number>>();
const OFFSET_CACHE_HOURS_PER_ZONE = 50_000;

/**
 * Offset of local wall-clock time from UTC at the given instant, in ms (e.g. +2h for CEST).
 *
 * Remembered per zone and UTC hour: an hour whose first and last second have the same offset has it
 * throughout, because time-zone data never has two transitions within one hour. An hour holding a
 * transition is asked of Intl every time.
 */
export function offsetMs(epochMs: number, timeZone: string): number {
  let zone = offsetCache.get(timeZone);
  if (zone === undefined) {
    assertValidTimeZone(timeZone);
    zone = new Map();
    offsetCache.set(timeZone, zone);
  }
  const hour = Math.floor(epochMs / MS_PER_HOUR);
  let offset = zone.get(hour);
  if (offset === undefined) {
    const first = intlOffsetMs(hour * MS_PER_HOUR, timeZone);
    offset = first === intlOffsetMs(hour * MS_PER_HOUR + MS_PER_HOUR - 1000, timeZone) ? first : Number.NaN;
    if (zone.size >= OFFSET_CACHE_HOURS_PER_ZONE) zone.clear();
    zone.set(hour, offset);
  }
  return Number.isNaN(offset) ? intlOffsetMs(epochMs, timeZone) : offset;
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
export function firstInstantAtOrAfterWall(wallMs: number, timeZone: string): number {
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
export function dayNumber(date: string, field: string): number {
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
  throw new TimeError(`${field} must be a calendar date in the form YYYY-MM-DD; got "${String(date)}".`);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function formatDayNumber(n: number): string {
  const d = new Date(n * MS_PER_DAY);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** The local calendar date ('YYYY-MM-DD') of `instant` in `timeZone`. */
export function localDate(instant: Date, timeZone: string): string {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new TimeError('instant must be a valid date.');
  }
  const w = wallClock(instant.getTime(), timeZone);
  return `${pad(w.year, 4)}-${pad(w.month, 2)}-${pad(w.day, 2)}`;
}

/** Adds `days` (may be negative) to a 'YYYY-MM-DD' date. */
export function addDays(date: string, days: number): string {
  return formatDayNumber(dayNumber(date, 'date') + days);
}

/** Monday-based ISO weekday of a day number: 0 = Monday ... 6 = Sunday. */
export function isoWeekdayIndex(day: number): number {
  // 1970-01-01 was a Thursday (index 3).
  return (((day + 3) % 7) + 7) % 7;
}

/**
 * The first day of the (ISO, Monday-based) week containing `localDate`.
 * Only Monday (`1`) is supported as week start.
 */
export function weekStart(localDate: string, weekStartsOn: 1 = 1): string {
  if (weekStartsOn !== 1) {
    throw new TimeError(`weekStartsOn must be 1 (Monday); got ${String(weekStartsOn)}.`);
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

/** The UTC instant at which the local wall-clock time `minutesOfDay` after midnight of `date` occurs in `timeZone` (a time skipped by DST maps to the instant of the jump). */
export function instantAtLocalTime(date: string, minutesOfDay: number, timeZone: string): Date {
  assertValidTimeZone(timeZone);
  return new Date(firstInstantAtOrAfterWall(dayNumber(date, 'date') * MS_PER_DAY + minutesOfDay * 60_000, timeZone));
}

/** ISO weekday of a local date: 1 = Monday ... 7 = Sunday. */
export function isoWeekday(date: string): number {
  return isoWeekdayIndex(dayNumber(date, 'date')) + 1;
}

/** Minutes after local midnight of `instant` in `timeZone`. */
export function localMinutesOfDay(instant: Date, timeZone: string): number {
  const w = wallClock(instant.getTime(), timeZone);
  return w.hour * 60 + w.minute;
}
