/**
 * Habit schedules: a strictly validated subset of RFC 5545 RRULE, evaluated on LOCAL CALENDAR DATES
 * ('YYYY-MM-DD'). A habit happens on days, not at instants, so the rule is evaluated as a floating
 * (zone-less) rule over dates: no DST change or time-zone move can shift, drop or duplicate an
 * occurrence. The user's time zone only decides which local date is "today".
 *
 * Two kinds of schedule:
 * - FIXED (timesPerWeek = null): the rule's dates are the occurrences; each needs one check-in.
 *   "Every weekday" = FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR, "every 2 days" = FREQ=DAILY;INTERVAL=2.
 * - FLEXIBLE (timesPerWeek = N): "N times a week, any days". The rule must be FREQ=WEEKLY (INTERVAL,
 *   COUNT, UNTIL allowed, nothing else); each active ISO week (Monday..Sunday) is one period in which
 *   any N distinct days must be checked in. The first week starts at startDate, so it may be shorter:
 *   it then needs min(N, days left in it).
 *
 * Pure: no I/O. Errors are BAD_USER_INPUT naming the field.
 *
 * Shared: habits owns and validates schedules; insights expands the schedule it projects from the
 * habit events (HabitScheduleData in @flowforge/events) for the habit break forecast.
 */
import { badInput } from '@flowforge/runtime';
import { dayNumber, formatDayNumber, isoWeekdayIndex, MS_PER_DAY } from '@flowforge/time';
import rrulePkg from 'rrule';

const { RRule } = rrulePkg;
type Options = ConstructorParameters<typeof RRule>[0];

export const MAX_SCHEDULE_LENGTH = 500;
const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
const SUPPORTED_FREQ = ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'] as const;
type Freq = (typeof SUPPORTED_FREQ)[number];
const FREQ_CONST: Record<Freq, number> = { DAILY: RRule.DAILY, WEEKLY: RRule.WEEKLY, MONTHLY: RRule.MONTHLY, YEARLY: RRule.YEARLY };
const TIME_PARTS = new Set(['BYHOUR', 'BYMINUTE', 'BYSECOND']);
const UNSUPPORTED_PARTS: Record<string, string> = {
  BYYEARDAY: 'BYYEARDAY is not supported; use BYMONTH with BYMONTHDAY.',
  BYWEEKNO: 'BYWEEKNO is not supported; use FREQ=WEEKLY with INTERVAL.',
  DTSTART: 'DTSTART is not part of the schedule; set startDate instead.',
  TZID: 'a time zone is not part of the schedule; habits follow your profile time zone.',
};

export interface ParsedSchedule {
  /** Canonical text, e.g. "FREQ=WEEKLY;BYDAY=MO,WE,FR" (no "RRULE:" prefix, parts in a fixed order). */
  rule: string;
  freq: Freq;
  interval: number;
  count: number | null;
  /** Last local date an occurrence may fall on. */
  until: string | null;
  byDay: { weekday: number; n: number | null }[];
  byMonthDay: number[];
  byMonth: number[];
  bySetPos: number[];
  wkst: number | null;
}

function fail(message: string, field: string): never {
  throw badInput(message, field);
}

function intList(value: string, name: string, min: number, max: number, field: string, allowZero = false): number[] {
  return value.split(',').map((item) => {
    if (!/^[+-]?\d+$/.test(item)) fail(`${name} must be a comma-separated list of whole numbers; got "${item}".`, field);
    const n = Number(item);
    if (n < min || n > max || (!allowZero && n === 0)) fail(`${name} values must be between ${min} and ${max}${allowZero ? '' : ' (not 0)'}; got ${item}.`, field);
    return n;
  });
}

/**
 * Parses and validates an RRULE ("FREQ=..." or "RRULE:FREQ=...", case-insensitive). Throws
 * BAD_USER_INPUT with a precise message for anything unsupported or malformed.
 */
export function parseSchedule(text: string, field = 'schedule'): ParsedSchedule {
  if (typeof text !== 'string') fail(`${field} must be a string.`, field);
  let body = text.trim();
  if (body.length === 0) fail(`${field} must not be empty; use an RRULE such as "FREQ=DAILY" or "FREQ=WEEKLY;BYDAY=MO,WE,FR".`, field);
  if (body.length > MAX_SCHEDULE_LENGTH) fail(`${field} can have at most ${MAX_SCHEDULE_LENGTH} characters.`, field);
  if (/[\r\n]/.test(body)) fail(`${field} must be a single RRULE line; DTSTART and EXDATE lines are not supported (use startDate).`, field);
  body = body.toUpperCase();
  if (body.startsWith('RRULE:')) body = body.slice('RRULE:'.length);
  const parts = new Map<string, string>();
  for (const part of body.split(';')) {
    const match = /^([A-Z-]+)=(.+)$/.exec(part);
    if (!match) fail(`${field} has a malformed part "${part}"; every part must look like NAME=VALUE, separated by ";".`, field);
    const [, name, value] = match as unknown as [string, string, string];
    if (parts.has(name)) fail(`${field} has ${name} twice.`, field);
    if (TIME_PARTS.has(name)) fail(`${field} cannot contain ${name}: habits happen on local dates; set the time of day with reminderTime.`, field);
    if (UNSUPPORTED_PARTS[name]) fail(`${field}: ${UNSUPPORTED_PARTS[name]}`, field);
    if (!['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY', 'BYMONTHDAY', 'BYMONTH', 'BYSETPOS', 'WKST'].includes(name)) {
      fail(`${field} has an unknown or unsupported part ${name}; supported: FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS, WKST.`, field);
    }
    parts.set(name, value);
  }
  const freqText = parts.get('FREQ');
  if (!freqText) fail(`${field} needs FREQ, e.g. "FREQ=DAILY" or "FREQ=WEEKLY;BYDAY=MO,WE,FR".`, field);
  if (['HOURLY', 'MINUTELY', 'SECONDLY'].includes(freqText)) fail(`${field} cannot use FREQ=${freqText}: the shortest habit schedule is daily (FREQ=DAILY).`, field);
  if (!(SUPPORTED_FREQ as readonly string[]).includes(freqText)) fail(`${field} has an unknown FREQ "${freqText}"; use DAILY, WEEKLY, MONTHLY or YEARLY.`, field);
  const freq = freqText as Freq;

  let interval = 1;
  const intervalText = parts.get('INTERVAL');
  if (intervalText !== undefined) {
    if (!/^\d+$/.test(intervalText) || Number(intervalText) < 1 || Number(intervalText) > 366) fail(`${field}: INTERVAL must be a whole number between 1 and 366; got "${intervalText}".`, field);
    interval = Number(intervalText);
  }
  let count: number | null = null;
  const countText = parts.get('COUNT');
  if (countText !== undefined) {
    if (!/^\d+$/.test(countText) || Number(countText) < 1 || Number(countText) > 10_000) fail(`${field}: COUNT must be a whole number between 1 and 10000; got "${countText}".`, field);
    count = Number(countText);
  }
  let until: string | null = null;
  const untilText = parts.get('UNTIL');
  if (untilText !== undefined) {
    const m = /^(\d{4})(\d{2})(\d{2})$/.exec(untilText);
    if (!m) fail(`${field}: UNTIL must be a date in the form YYYYMMDD (habits happen on local dates); got "${untilText}".`, field);
    until = `${m[1]}-${m[2]}-${m[3]}`;
    try {
      dayNumber(until, 'UNTIL');
    } catch {
      fail(`${field}: UNTIL ${untilText} is not a calendar date.`, field);
    }
  }
  if (count !== null && until !== null) fail(`${field} cannot have both COUNT and UNTIL (RFC 5545); keep one.`, field);

  const byDay: ParsedSchedule['byDay'] = [];
  const byDayText = parts.get('BYDAY');
  if (byDayText !== undefined) {
    for (const item of byDayText.split(',')) {
      const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(item);
      if (!m) fail(`${field}: BYDAY values must be weekdays MO, TU, WE, TH, FR, SA, SU (optionally with an ordinal like 1MO or -1FR for MONTHLY/YEARLY); got "${item}".`, field);
      const n = m[1] === undefined ? null : Number(m[1]);
      if (n !== null) {
        if (freq !== 'MONTHLY' && freq !== 'YEARLY') fail(`${field}: BYDAY ordinals such as "${item}" only make sense with FREQ=MONTHLY or FREQ=YEARLY.`, field);
        const limit = freq === 'MONTHLY' ? 5 : 53;
        if (n === 0 || Math.abs(n) > limit) fail(`${field}: the BYDAY ordinal in "${item}" must be between -${limit} and ${limit} and not 0.`, field);
      }
      const weekday = WEEKDAYS.indexOf(m[2] as (typeof WEEKDAYS)[number]);
      if (byDay.some((d) => d.weekday === weekday && d.n === n)) fail(`${field}: BYDAY lists "${item}" twice.`, field);
      byDay.push({ weekday, n });
    }
  }
  const byMonthDayText = parts.get('BYMONTHDAY');
  const byMonthDay = byMonthDayText === undefined ? [] : intList(byMonthDayText, 'BYMONTHDAY', -31, 31, field);
  if (byMonthDay.length && (freq === 'WEEKLY')) fail(`${field}: BYMONTHDAY cannot be used with FREQ=WEEKLY.`, field);
  const byMonthText = parts.get('BYMONTH');
  const byMonth = byMonthText === undefined ? [] : intList(byMonthText, 'BYMONTH', 1, 12, field);
  const bySetPosText = parts.get('BYSETPOS');
  const bySetPos = bySetPosText === undefined ? [] : intList(bySetPosText, 'BYSETPOS', -366, 366, field);
  if (bySetPos.length && !byDay.length && !byMonthDay.length) fail(`${field}: BYSETPOS needs BYDAY or BYMONTHDAY to select from.`, field);
  const wkstText = parts.get('WKST');
  let wkst: number | null = null;
  if (wkstText !== undefined) {
    wkst = WEEKDAYS.indexOf(wkstText as (typeof WEEKDAYS)[number]);
    if (wkst < 0) fail(`${field}: WKST must be one of MO, TU, WE, TH, FR, SA, SU; got "${wkstText}".`, field);
  }

  const canonical = [
    `FREQ=${freq}`,
    interval !== 1 ? `INTERVAL=${interval}` : null,
    byMonth.length ? `BYMONTH=${byMonth.join(',')}` : null,
    byMonthDay.length ? `BYMONTHDAY=${byMonthDay.join(',')}` : null,
    byDay.length ? `BYDAY=${byDay.map((d) => `${d.n ?? ''}${WEEKDAYS[d.weekday]}`).join(',')}` : null,
    bySetPos.length ? `BYSETPOS=${bySetPos.join(',')}` : null,
    wkst !== null ? `WKST=${WEEKDAYS[wkst]}` : null,
    count !== null ? `COUNT=${count}` : null,
    until !== null ? `UNTIL=${until.replaceAll('-', '')}` : null,
  ].filter((p): p is string => p !== null).join(';');

  return { rule: canonical, freq, interval, count, until, byDay, byMonthDay, byMonth, bySetPos, wkst };
}

export const MAX_TIMES_PER_WEEK = 7;

/** Checks that a schedule fits `timesPerWeek` (flexible habits): FREQ=WEEKLY with only INTERVAL, COUNT, UNTIL. */
export function validateTimesPerWeek(timesPerWeek: number | null | undefined, schedule: ParsedSchedule): number | null {
  if (timesPerWeek == null) return null;
  if (!Number.isInteger(timesPerWeek) || timesPerWeek < 1 || timesPerWeek > MAX_TIMES_PER_WEEK) {
    throw badInput(`timesPerWeek must be a whole number between 1 and ${MAX_TIMES_PER_WEEK}; got ${timesPerWeek}.`, 'timesPerWeek');
  }
  if (schedule.freq !== 'WEEKLY' || schedule.byDay.length || schedule.byMonth.length || schedule.bySetPos.length || schedule.wkst !== null) {
    throw badInput(`With timesPerWeek the schedule must be FREQ=WEEKLY, optionally with INTERVAL, COUNT or UNTIL (any ${timesPerWeek} days of each week count); got "${schedule.rule}". For fixed days use BYDAY without timesPerWeek.`, 'schedule');
  }
  return timesPerWeek;
}

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

const dateAsUtc = (date: string) => new Date(dayNumber(date, 'date') * MS_PER_DAY);
const utcAsDate = (instant: Date) => formatDayNumber(Math.floor(instant.getTime() / MS_PER_DAY));

function toRRule(schedule: ParsedSchedule, dtstart: string, override: Partial<Options> = {}) {
  return new RRule({
    freq: FREQ_CONST[schedule.freq],
    interval: schedule.interval,
    count: schedule.count,
    until: schedule.until === null ? null : dateAsUtc(schedule.until),
    byweekday: schedule.byDay.length ? schedule.byDay.map((d) => (d.n === null ? new rrulePkg.Weekday(d.weekday) : new rrulePkg.Weekday(d.weekday, d.n))) : null,
    bymonthday: schedule.byMonthDay.length ? schedule.byMonthDay : null,
    bymonth: schedule.byMonth.length ? schedule.byMonth : null,
    bysetpos: schedule.bySetPos.length ? schedule.bySetPos : null,
    wkst: schedule.wkst ?? 0,
    dtstart: dateAsUtc(dtstart),
    ...override,
  });
}

/** Local dates in [from, to] (inclusive) on which a fixed schedule starting at `startDate` occurs. */
export function occurrencesBetween(schedule: ParsedSchedule, startDate: string, from: string, to: string): string[] {
  if (to < from || to < startDate) return [];
  const lo = from < startDate ? startDate : from;
  return toRRule(schedule, startDate).between(dateAsUtc(lo), dateAsUtc(to), true).map(utcAsDate);
}

/** A stretch of local days in which `required` distinct days must be checked in. */
export interface Period {
  start: string;
  end: string;
  required: number;
}

export interface HabitSchedule {
  schedule: ParsedSchedule;
  startDate: string;
  timesPerWeek: number | null;
}

/**
 * The periods overlapping [from, to]: one per occurrence (a single day needing one check-in) for fixed
 * schedules; one per active ISO week for flexible ones (see the file comment).
 */
export function periodsBetween(habit: HabitSchedule, from: string, to: string): Period[] {
  if (habit.timesPerWeek === null) {
    return occurrencesBetween(habit.schedule, habit.startDate, from, to).map((date) => ({ start: date, end: date, required: 1 }));
  }
  const startDay = dayNumber(habit.startDate, 'startDate');
  const firstMonday = formatDayNumber(startDay - isoWeekdayIndex(startDay));
  const untilDay = habit.schedule.until === null ? Number.POSITIVE_INFINITY : dayNumber(habit.schedule.until, 'until');
  // Week starts: FREQ=WEEKLY;BYDAY=MO from the Monday of startDate's week, keeping INTERVAL and COUNT.
  const weeks = toRRule(habit.schedule, firstMonday, { byweekday: [RRule.MO], until: null, wkst: 0 });
  const fromDay = dayNumber(from, 'from');
  const toDay = dayNumber(to, 'to');
  if (toDay < fromDay) return [];
  const periods: Period[] = [];
  // A week starting up to 6 days before `from` still overlaps it.
  for (const monday of weeks.between(new Date((fromDay - 6) * MS_PER_DAY), new Date(toDay * MS_PER_DAY), true)) {
    const mondayDay = Math.floor(monday.getTime() / MS_PER_DAY);
    if (mondayDay > untilDay) break;
    const start = Math.max(mondayDay, startDay);
    const end = Math.min(mondayDay + 6, untilDay);
    if (end < start) continue;
    periods.push({ start: formatDayNumber(start), end: formatDayNumber(end), required: Math.min(habit.timesPerWeek, end - start + 1) });
  }
  return periods.filter((p) => p.end >= from && p.start <= to);
}

/** Whether a check-in may be recorded on `date` at all (ignoring the grace window): an occurrence, or a day of an active week. */
export function isCheckInDate(habit: HabitSchedule, date: string): boolean {
  return periodsBetween(habit, date, date).some((p) => p.start <= date && date <= p.end);
}

/** The schedule in English, e.g. "every week on Monday, Wednesday" (rrule's toText). */
export function describeSchedule(habit: HabitSchedule): string {
  const base = toRRule(habit.schedule, habit.startDate).toText();
  return habit.timesPerWeek === null ? base : `${habit.timesPerWeek} ${habit.timesPerWeek === 1 ? 'day' : 'days'} a week, any days (${base})`;
}
