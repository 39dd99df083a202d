/** Pure validation for calendar events: no I/O, no Prisma. Errors are BAD_USER_INPUT naming the field. */
import { badInput, requireText, requireTimeZone } from '@flowforge/runtime';

export const MAX_TITLE_LENGTH = 200;
export const MAX_EVENT_DAYS = 14;
export const MAX_RANGE_DAYS = 93;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface CreateEventInput {
  title: string;
  startsAt: Date | string;
  endsAt: Date | string;
  timezone: string;
  allDay?: boolean | null;
  busy?: boolean | null;
}

export interface ValidEvent {
  title: string;
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  allDay: boolean;
  busy: boolean;
}

function toDate(value: Date | string, field: string): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw badInput(`${field} must be a valid date-time.`, field);
  return date;
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
export function validateRange(from: Date | string, to: Date | string): { from: Date; to: Date } {
  const start = toDate(from, 'from');
  const end = toDate(to, 'to');
  if (end.getTime() <= start.getTime()) throw badInput('to must be after from.', 'to');
  if (end.getTime() - start.getTime() > MAX_RANGE_DAYS * DAY_MS) throw badInput(`The range from..to can span at most ${MAX_RANGE_DAYS} days.`, 'to');
  return { from: start, to: end };
}

export function validateCreateEvent(input: CreateEventInput): ValidEvent {
  return {
    title: requireText(input.title, 'title', { max: MAX_TITLE_LENGTH }),
    ...validateEventTimes(input.startsAt, input.endsAt),
    timezone: requireTimeZone(input.timezone, 'timezone'),
    allDay: input.allDay ?? false,
    busy: input.busy ?? true,
  };
}
