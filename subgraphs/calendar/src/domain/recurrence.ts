/**
 * Recurrence rules (RFC 5545 RRULE, without DTSTART) and their expansion in the event's time zone.
 *
 * Expansion runs in "wall-clock" time: the series start becomes its local time written as if it were
 * UTC, the rrule library repeats that (it knows nothing of zones), and every local occurrence is
 * mapped back to its instant in the zone. A 09:00 meeting in Europe/Berlin therefore stays at 09:00
 * local across DST changes (08:00Z in winter, 07:00Z in summer); a time skipped by a DST change
 * moves to the instant of the jump.
 */
import { badInput } from '@flowforge/runtime';
import { dayNumber, firstInstantAtOrAfterWall, formatDayNumber, MS_PER_DAY, offsetMs } from '@flowforge/time';
import rrulePkg from 'rrule';
import type { Interval } from './intervals.js';

const { RRule } = rrulePkg;

const FREQS = ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'];
const WEEKDAY = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/;
const UNTIL = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/;
const KEYS = ['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY', 'BYMONTHDAY', 'BYMONTH', 'BYSETPOS', 'WKST'] as const;
export const MAX_COUNT = 1000;
const FIELD = 'recurrence';

export interface RuleContext {
  allDay: boolean;
  timezone: string;
  /** The series start (all-day: local midnight of startDate). */
  startsAt: Date;
  /** All-day series: first local date. */
  startDate?: string | null;
}

function intList(value: string, key: string, min: number, max: number, nonZero = true): void {
  for (const part of value.split(',')) {
    const n = Number(part);
    if (!/^[+-]?\d+$/.test(part) || n < min || n > max || (nonZero && n === 0)) {
      throw badInput(`recurrence ${key} must be a comma-separated list of whole numbers from ${min} to ${max}${nonZero ? ' (not 0)' : ''}; got "${value}".`, FIELD);
    }
  }
}

/** The wall-clock ms (local time written as UTC) of an instant in `timeZone`. */
export function toWall(instant: number, timeZone: string): number {
  return instant + offsetMs(instant, timeZone);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function formatUtc(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

/**
 * Checks an RRULE strictly (the rrule library accepts nonsense silently) and returns it in a
 * canonical form: upper case, FREQ first, UNTIL in UTC for timed series and as a DATE for all-day
 * ones (RFC 5545 wants UNTIL to match DTSTART's type).
 */
export function normalizeRrule(raw: string, context: RuleContext): string {
  let text = raw.trim();
  if (/^RRULE:/i.test(text)) text = text.slice(6);
  if (text.length === 0 || text.length > 500) throw badInput('recurrence must be an RRULE such as "FREQ=WEEKLY;BYDAY=MO,WE" (at most 500 characters).', FIELD);
  if (/[\r\n]/.test(text)) throw badInput('recurrence must be a single RRULE line (no DTSTART, EXDATE or line breaks).', FIELD);
  const parts = new Map<string, string>();
  for (const part of text.split(';')) {
    const [key, value, ...rest] = part.split('=');
    const name = (key ?? '').trim().toUpperCase();
    if (!value || rest.length > 0) throw badInput(`recurrence part "${part.slice(0, 40)}" is not KEY=VALUE.`, FIELD);
    if (!(KEYS as readonly string[]).includes(name)) throw badInput(`recurrence: ${name || '(empty)'} is not supported; use ${KEYS.join(', ')}.`, FIELD);
    if (parts.has(name)) throw badInput(`recurrence has ${name} twice.`, FIELD);
    parts.set(name, value.trim().toUpperCase());
  }
  const freq = parts.get('FREQ');
  if (!freq) throw badInput('recurrence needs FREQ (DAILY, WEEKLY, MONTHLY or YEARLY).', FIELD);
  if (!FREQS.includes(freq)) throw badInput(`recurrence FREQ=${freq} is not supported; use DAILY, WEEKLY, MONTHLY or YEARLY.`, FIELD);
  const interval = parts.get('INTERVAL');
  if (interval !== undefined) intList(interval, 'INTERVAL', 1, 1000);
  if (interval?.includes(',')) throw badInput('recurrence INTERVAL must be one number.', FIELD);
  const count = parts.get('COUNT');
  if (count !== undefined && (!/^\d+$/.test(count) || Number(count) < 1 || Number(count) > MAX_COUNT)) throw badInput(`recurrence COUNT must be a whole number from 1 to ${MAX_COUNT}; got "${count}".`, FIELD);
  if (count !== undefined && parts.has('UNTIL')) throw badInput('recurrence can have COUNT or UNTIL, not both.', FIELD);
  for (const key of ['BYDAY', 'WKST']) {
    const value = parts.get(key);
    if (value === undefined) continue;
    for (const day of value.split(',')) {
      const m = WEEKDAY.exec(day);
      if (!m || (key === 'WKST' && m[1])) throw badInput(`recurrence ${key} must list weekdays like MO,WE${key === 'BYDAY' ? ' (or 1MO, -1FR for monthly and yearly rules)' : ''}; got "${value}".`, FIELD);
      if (m[1]) {
        const n = Number(m[1]);
        if (n === 0 || Math.abs(n) > 53) throw badInput(`recurrence BYDAY position must be 1 to 53 or -1 to -53; got "${day}".`, FIELD);
        if (freq !== 'MONTHLY' && freq !== 'YEARLY') throw badInput(`recurrence BYDAY positions (like ${day}) need FREQ=MONTHLY or YEARLY.`, FIELD);
      }
    }
  }
  if (parts.has('BYMONTHDAY')) intList(parts.get('BYMONTHDAY')!, 'BYMONTHDAY', -31, 31);
  if (parts.has('BYMONTH')) intList(parts.get('BYMONTH')!, 'BYMONTH', 1, 12);
  if (parts.has('BYSETPOS')) {
    intList(parts.get('BYSETPOS')!, 'BYSETPOS', -366, 366);
    if (!['BYDAY', 'BYMONTHDAY', 'BYMONTH'].some((k) => parts.has(k))) throw badInput('recurrence BYSETPOS needs BYDAY, BYMONTHDAY or BYMONTH.', FIELD);
  }
  const until = parts.get('UNTIL');
  if (until !== undefined) {
    const m = UNTIL.exec(until);
    const date = m ? `${m[1]}-${m[2]}-${m[3]}` : '';
    let day: number;
    try {
      day = dayNumber(date, 'UNTIL');
    } catch {
      throw badInput(`recurrence UNTIL must be a date (YYYYMMDD) or UTC date-time (YYYYMMDDTHHMMSSZ); got "${until}".`, FIELD);
    }
    const [h, mi, s, z] = [Number(m![4] ?? 0), Number(m![5] ?? 0), Number(m![6] ?? 0), m![7]];
    if (h > 23 || mi > 59 || s > 59) throw badInput(`recurrence UNTIL has an impossible time; got "${until}".`, FIELD);
    // The last instant the series may start at.
    let untilInstant: number;
    if (m![4] === undefined) untilInstant = firstInstantAtOrAfterWall((day + 1) * MS_PER_DAY, context.timezone) - 1000; // end of that local day
    else if (z) untilInstant = day * MS_PER_DAY + ((h * 60 + mi) * 60 + s) * 1000;
    else untilInstant = firstInstantAtOrAfterWall(day * MS_PER_DAY + ((h * 60 + mi) * 60 + s) * 1000, context.timezone);
    if (untilInstant < context.startsAt.getTime()) throw badInput('recurrence UNTIL is before the event starts.', FIELD);
    parts.set('UNTIL', context.allDay ? formatDayNumber(Math.floor(toWall(untilInstant, context.timezone) / MS_PER_DAY)).replaceAll('-', '') : formatUtc(untilInstant));
  }
  const canonical = ['FREQ', ...KEYS.filter((k) => k !== 'FREQ' && parts.has(k))].map((k) => `${k}=${parts.get(k)}`).join(';');
  // A rule that never fires (e.g. February 30th) is a mistake: look ten years ahead.
  const probe = buildRule(canonical, context, 10);
  if (probe.all((_date, i) => i < 1).length === 0) throw badInput('recurrence never produces an occurrence (check BYMONTH, BYMONTHDAY, BYDAY and UNTIL).', FIELD);
  return canonical;
}

function wallStartOf(context: RuleContext): number {
  return context.allDay && context.startDate ? dayNumber(context.startDate, 'startDate') * MS_PER_DAY : toWall(context.startsAt.getTime(), context.timezone);
}

function buildRule(rrule: string, context: RuleContext, horizonYears?: number) {
  const options = RRule.parseString(rrule);
  if (options.until) {
    // Timed series keep UNTIL in UTC: move it to wall-clock time like everything else.
    if (!context.allDay && /UNTIL=\d{8}T\d{6}Z/.test(rrule)) options.until = new Date(toWall(options.until.getTime(), context.timezone));
  }
  const dtstart = new Date(wallStartOf(context));
  if (horizonYears !== undefined) {
    const horizon = new Date(dtstart.getTime() + horizonYears * 366 * MS_PER_DAY);
    if (!options.until || options.until > horizon) options.until = horizon;
    if (options.count) delete options.count;
  }
  return new RRule({ ...options, dtstart, tzid: null });
}

export interface SeriesLike {
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  allDay: boolean;
  startDate: string | null;
  endDate: string | null;
  rrule: string | null;
  exdates: Date[];
}

export interface Occurrence {
  /** Where the series puts it (equals start unless it was edited elsewhere). */
  originalStart: number;
  start: number;
  end: number;
  /** All-day occurrences: local first and last date. */
  startDate: string | null;
  endDate: string | null;
}

/** Hard cap on occurrences one series yields for one range (ranges are at most 93 days). */
export const MAX_OCCURRENCES_PER_RANGE = 3000;

/**
 * Occurrences of `event` overlapping `range`, by start: the event itself when it does not recur,
 * otherwise its series without EXDATEs and without the original starts in `skip` (occurrences that
 * were edited: their override events are listed on their own).
 */
export function expandOccurrences(event: SeriesLike, range: Interval, skip: ReadonlySet<number> = new Set()): Occurrence[] {
  const single: Occurrence = { originalStart: event.startsAt.getTime(), start: event.startsAt.getTime(), end: event.endsAt.getTime(), startDate: event.startDate, endDate: event.endDate };
  if (!event.rrule) return single.start < range.end && single.end > range.start ? [single] : [];
  const tz = event.timezone;
  const rule = buildRule(event.rrule, { allDay: event.allDay, timezone: tz, startsAt: event.startsAt, startDate: event.startDate });
  const excluded = new Set([...event.exdates.map((d) => d.getTime()), ...skip]);
  const duration = event.endsAt.getTime() - event.startsAt.getTime();
  const days = event.allDay && event.startDate && event.endDate ? dayNumber(event.endDate, 'endDate') - dayNumber(event.startDate, 'startDate') + 1 : 0;
  const margin = 2 * MS_PER_DAY;
  const walls = rule.between(new Date(range.start - duration - margin), new Date(range.end + margin), true, (_d, i) => i < MAX_OCCURRENCES_PER_RANGE);
  const out: Occurrence[] = [];
  for (const wall of walls) {
    const w = wall.getTime();
    let occurrence: Occurrence;
    if (event.allDay) {
      const first = Math.floor(w / MS_PER_DAY);
      const start = firstInstantAtOrAfterWall(first * MS_PER_DAY, tz);
      occurrence = { originalStart: start, start, end: firstInstantAtOrAfterWall((first + days) * MS_PER_DAY, tz), startDate: formatDayNumber(first), endDate: formatDayNumber(first + days - 1) };
    } else {
      const start = firstInstantAtOrAfterWall(w, tz);
      occurrence = { originalStart: start, start, end: start + duration, startDate: null, endDate: null };
    }
    if (occurrence.start < range.end && occurrence.end > range.start && !excluded.has(occurrence.originalStart)) out.push(occurrence);
  }
  return out;
}

/** True when `instant` is an occurrence start of the series (EXDATEs included). */
export function isOccurrenceStart(event: SeriesLike, instant: Date): boolean {
  const t = instant.getTime();
  return expandOccurrences(event, { start: t, end: t + 1 }).some((o) => o.originalStart === t);
}
