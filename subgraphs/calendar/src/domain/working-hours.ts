/** Working hours and clock times: pure, zone-aware through @flowforge/time. */
import { badInput } from '@flowforge/runtime';
import { addDays, dayNumber, instantAtLocalTime, isoWeekday } from '@flowforge/time';
import type { Interval } from './intervals.js';

export interface WorkingHours {
  /** ISO weekdays, 1 = Monday ... 7 = Sunday. */
  days: number[];
  /** 'HH:MM' */
  start: string;
  end: string;
}

export interface Profile {
  timezone: string;
  workingHours: WorkingHours;
}

/** What the calendar assumes until orgs has told it the user's profile. */
export const DEFAULT_PROFILE: Profile = { timezone: 'UTC', workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' } };

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

/** Minutes after midnight of an 'HH:MM' clock time (00:00 to 24:00). */
export function parseClock(value: string, field: string): number {
  if (typeof value !== 'string' || !CLOCK.test(value)) throw badInput(`${field} must be a time of day as HH:MM (24-hour clock, 00:00 to 24:00); got "${String(value).slice(0, 20)}".`, field);
  const [h, m] = value.split(':').map(Number);
  return h! * 60 + m!;
}

export function formatClock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Working hours as minutes, checked. */
export interface WorkingMinutes {
  days: Set<number>;
  start: number;
  end: number;
}

export function toWorkingMinutes(hours: WorkingHours, field = 'workingHours'): WorkingMinutes {
  if (!Array.isArray(hours.days) || hours.days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) {
    throw badInput(`${field}.days must be ISO weekdays from 1 (Monday) to 7 (Sunday).`, `${field}.days`);
  }
  const start = parseClock(hours.start, `${field}.start`);
  const end = parseClock(hours.end, `${field}.end`);
  if (end <= start) throw badInput(`${field}.end must be after ${field}.start.`, `${field}.end`);
  return { days: new Set(hours.days), start, end };
}

/** A profile from an untrusted source (an event): valid, or the default. */
export function sanitizeProfile(value: { timezone?: unknown; workingHours?: unknown } | null | undefined, isValidTimeZone: (tz: unknown) => boolean): Profile {
  const timezone = isValidTimeZone(value?.timezone) ? (value!.timezone as string) : DEFAULT_PROFILE.timezone;
  try {
    const wh = value?.workingHours as WorkingHours;
    toWorkingMinutes(wh);
    return { timezone, workingHours: { days: [...new Set(wh.days)].sort((a, b) => a - b), start: wh.start, end: wh.end } };
  } catch {
    return { timezone, workingHours: DEFAULT_PROFILE.workingHours };
  }
}

/** Local dates from..to inclusive. */
export function localDates(from: string, to: string): string[] {
  const days = dayNumber(to, 'to') - dayNumber(from, 'from');
  return Array.from({ length: days + 1 }, (_, i) => addDays(from, i));
}

/** The instants of `date`'s working hours in `timeZone`, or null on a day off. */
export function workingWindow(date: string, hours: WorkingMinutes, timeZone: string): Interval | null {
  if (!hours.days.has(isoWeekday(date))) return null;
  const start = instantAtLocalTime(date, hours.start, timeZone).getTime();
  const end = instantAtLocalTime(date, hours.end, timeZone).getTime();
  return end > start ? { start, end } : null;
}

/** A local time window of `date` (minutes of day) as instants. */
export function localWindow(date: string, startMinutes: number, endMinutes: number, timeZone: string): Interval {
  return { start: instantAtLocalTime(date, startMinutes, timeZone).getTime(), end: instantAtLocalTime(date, endMinutes, timeZone).getTime() };
}
