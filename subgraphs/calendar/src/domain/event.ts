/** Pure validation for calendars and calendar events: no I/O, no Prisma. Errors are BAD_USER_INPUT naming the field. */
import { badInput, requireText, requireTimeZone } from '@flowforge/runtime';
import { addDays, dayNumber, localDate, localDayBounds } from '@flowforge/time';
import { normalizeRrule } from './recurrence.js';

export const MAX_TITLE_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 5000;
export const MAX_EVENT_DAYS = 14;
export const MAX_RANGE_DAYS = 93;
export const MAX_ATTENDEES = 100;
const DAY_MS = 24 * 60 * 60 * 1000;

export type AttendeeResponseStatus = 'NEEDS_ACTION' | 'ACCEPTED' | 'DECLINED' | 'TENTATIVE';
export interface Attendee {
  email: string;
  responseStatus: AttendeeResponseStatus;
}
const RESPONSES: readonly AttendeeResponseStatus[] = ['NEEDS_ACTION', 'ACCEPTED', 'DECLINED', 'TENTATIVE'];

/** What a client may send to create or change an event; null and undefined both mean "not given". */
export interface EventInput {
  title?: string | null;
  description?: string | null;
  startsAt?: Date | string | null;
  endsAt?: Date | string | null;
  timezone?: string | null;
  allDay?: boolean | null;
  startDate?: string | null;
  endDate?: string | null;
  recurrence?: string | null;
  attendees?: readonly { email: string; responseStatus?: string | null }[] | null;
  busy?: boolean | null;
}

/** An event's stored, valid fields. */
export interface ValidEvent {
  title: string;
  description: string | null;
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  allDay: boolean;
  startDate: string | null;
  endDate: string | null;
  rrule: string | null;
  attendees: Attendee[];
  busy: boolean;
}

function toDate(value: Date | string, field: string): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw badInput(`${field} must be a valid date-time.`, field);
  return date;
}

/** A local date 'YYYY-MM-DD', checked, naming the field. */
export function requireLocalDate(value: string, field: string): string {
  try {
    dayNumber(value, field);
    return value;
  } catch {
    throw badInput(`${field} must be a calendar date in the form YYYY-MM-DD; got "${String(value).slice(0, 40)}".`, field);
  }
}

/** An event ends after it starts and lasts at most 14 days. */
export function validateEventTimes(startsAt: Date | string, endsAt: Date | string): { startsAt: Date; endsAt: Date } {
  const start = toDate(startsAt, 'startsAt');
  const end = toDate(endsAt, 'endsAt');
  if (end.getTime() <= start.getTime()) throw badInput('endsAt must be after startsAt.', 'endsAt');
  if (end.getTime() - start.getTime() > MAX_EVENT_DAYS * DAY_MS) throw badInput(`An event can last at most ${MAX_EVENT_DAYS} days; endsAt is too late.`, 'endsAt');
  return { startsAt: start, endsAt: end };
}

/** A listing window: from before to, at most 93 days long. */
export function validateRange(from: Date | string, to: Date | string, maxDays = MAX_RANGE_DAYS): { from: Date; to: Date } {
  const start = toDate(from, 'from');
  const end = toDate(to, 'to');
  if (end.getTime() <= start.getTime()) throw badInput('to must be after from.', 'to');
  if (end.getTime() - start.getTime() > maxDays * DAY_MS) throw badInput(`The range from..to can span at most ${maxDays} days.`, 'to');
  return { from: start, to: end };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateAttendees(attendees: EventInput['attendees']): Attendee[] {
  const list = attendees ?? [];
  if (list.length > MAX_ATTENDEES) throw badInput(`An event can have at most ${MAX_ATTENDEES} attendees.`, 'attendees');
  const seen = new Set<string>();
  return list.map((attendee, i) => {
    const email = attendee.email.trim().toLowerCase();
    if (!EMAIL.test(email) || email.length > 254) throw badInput(`attendees[${i}].email "${attendee.email.slice(0, 60)}" is not an email address.`, `attendees.${i}.email`);
    if (seen.has(email)) throw badInput(`attendees lists ${email} twice.`, `attendees.${i}.email`);
    seen.add(email);
    const responseStatus = (attendee.responseStatus ?? 'NEEDS_ACTION') as AttendeeResponseStatus;
    if (!RESPONSES.includes(responseStatus)) throw badInput(`attendees[${i}].responseStatus must be one of ${RESPONSES.join(', ')}.`, `attendees.${i}.responseStatus`);
    return { email, responseStatus };
  });
}

const given = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

/**
 * Validates a whole event: `input` on top of `current` (for updates; fields not given keep their
 * current value). All-day events are stored with their local dates and the instants of local
 * midnight in their time zone; timed events with their instants.
 */
export function validateEvent(input: EventInput, current?: ValidEvent): ValidEvent {
  const titleRaw = given(input.title) ? input.title : current?.title;
  if (titleRaw === undefined) throw badInput('title must not be empty.', 'title');
  const title = requireText(titleRaw, 'title', { max: MAX_TITLE_LENGTH });
  let description = current?.description ?? null;
  if (given(input.description)) {
    const trimmed = input.description.trim();
    if ([...trimmed].length > MAX_DESCRIPTION_LENGTH) throw badInput(`description can have at most ${MAX_DESCRIPTION_LENGTH} characters.`, 'description');
    description = trimmed.length ? trimmed : null;
  }
  const timezoneRaw = given(input.timezone) ? input.timezone : current?.timezone;
  if (timezoneRaw === undefined) throw badInput('timezone is required (an IANA name like "Europe/Berlin").', 'timezone');
  const timezone = requireTimeZone(timezoneRaw, 'timezone');
  const allDay = input.allDay ?? current?.allDay ?? false;

  let startsAt: Date;
  let endsAt: Date;
  let startDate: string | null = null;
  let endDate: string | null = null;
  if (allDay) {
    const currentStart = current ? (current.allDay ? current.startDate : localDate(current.startsAt, timezone)) : null;
    const currentEnd = current ? (current.allDay ? current.endDate : localDate(new Date(current.endsAt.getTime() - 1), timezone)) : null;
    if (given(input.startDate)) {
      startDate = requireLocalDate(input.startDate, 'startDate');
      // Moving the first day keeps the length unless endDate is given too.
      const span = currentStart && currentEnd ? dayNumber(currentEnd, 'endDate') - dayNumber(currentStart, 'startDate') : 0;
      endDate = given(input.endDate) ? requireLocalDate(input.endDate, 'endDate') : addDays(startDate, Math.max(0, span));
    } else {
      if (!currentStart) throw badInput('startDate (YYYY-MM-DD) is required for an all-day event.', 'startDate');
      startDate = currentStart;
      endDate = given(input.endDate) ? requireLocalDate(input.endDate, 'endDate') : currentEnd ?? startDate;
    }
    const days = dayNumber(endDate!, 'endDate') - dayNumber(startDate, 'startDate') + 1;
    if (days < 1) throw badInput('endDate must not be before startDate.', 'endDate');
    if (days > MAX_EVENT_DAYS) throw badInput(`An event can last at most ${MAX_EVENT_DAYS} days; endDate is too late.`, 'endDate');
    startsAt = localDayBounds(startDate, timezone).start;
    endsAt = localDayBounds(endDate!, timezone).end;
  } else {
    const start = given(input.startsAt) ? input.startsAt : current?.startsAt;
    const end = given(input.endsAt) ? input.endsAt : current?.endsAt;
    if (start === undefined) throw badInput('startsAt is required for a timed event (or set allDay: true with startDate).', 'startsAt');
    if (end === undefined) throw badInput('endsAt is required for a timed event.', 'endsAt');
    ({ startsAt, endsAt } = validateEventTimes(start, end));
  }

  const ruleRaw = input.recurrence === undefined || input.recurrence === null ? current?.rrule ?? null : input.recurrence.trim() === '' ? null : input.recurrence;
  const rrule = ruleRaw === null ? null : normalizeRrule(ruleRaw, { allDay, timezone, startsAt, startDate });
  const attendees = given(input.attendees) ? validateAttendees(input.attendees) : current?.attendees ?? [];
  const busy = input.busy ?? current?.busy ?? true;
  return { title, description, startsAt, endsAt, timezone, allDay, startDate, endDate, rrule, attendees, busy };
}

/** Fields whose change turns a series into a different series (its exceptions no longer apply). */
export function changesSeriesShape(before: ValidEvent, after: ValidEvent): boolean {
  return before.startsAt.getTime() !== after.startsAt.getTime() || before.endsAt.getTime() !== after.endsAt.getTime()
    || before.timezone !== after.timezone || before.allDay !== after.allDay || before.rrule !== after.rrule;
}

export const MAX_CALENDAR_NAME_LENGTH = 100;
const COLOR = /^#[0-9a-fA-F]{6}$/;

export function validateCalendar(input: { name: string; color?: string | null }): { name: string; color: string } {
  const name = requireText(input.name, 'name', { max: MAX_CALENDAR_NAME_LENGTH });
  const color = input.color ?? '#4f46e5';
  if (!COLOR.test(color)) throw badInput(`color must be a hex color like "#4f46e5"; got "${color.slice(0, 20)}".`, 'color');
  return { name, color: color.toLowerCase() };
}
