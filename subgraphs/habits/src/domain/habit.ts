/** Pure validation for habits: no I/O, no Prisma. Errors are BAD_USER_INPUT naming the field. */
import { badInput, requireText } from '@flowforge/runtime';

export const MAX_TITLE_LENGTH = 120;
export const MAX_SCHEDULE_LENGTH = 500;

export interface CreateHabitInput {
  title: string;
  schedule: string;
  targetCount?: number | null;
}

export interface ValidHabit {
  title: string;
  schedule: string;
  targetCount: number;
}

/**
 * Checks only the shape of an iCalendar RRULE: it starts with "FREQ=" or "RRULE:FREQ=" (case
 * insensitive) and has at most 500 characters. Full RRULE parsing arrives later. Returns the trimmed rule.
 */
export function validateSchedule(schedule: string, field = 'schedule'): string {
  const trimmed = schedule.trim();
  if (trimmed.length === 0) throw badInput(`${field} must not be empty; use an RRULE such as "FREQ=DAILY".`, field);
  if (trimmed.length > MAX_SCHEDULE_LENGTH) throw badInput(`${field} can have at most ${MAX_SCHEDULE_LENGTH} characters.`, field);
  if (!/^(RRULE:)?FREQ=/i.test(trimmed)) {
    throw badInput(`${field} must be an RRULE starting with "FREQ=" or "RRULE:FREQ=", e.g. "FREQ=WEEKLY;BYDAY=MO,WE,FR".`, field);
  }
  return trimmed;
}

export function validateTargetCount(targetCount: number | null | undefined, field = 'targetCount'): number {
  if (targetCount == null) return 1;
  if (!Number.isInteger(targetCount) || targetCount < 1) throw badInput(`${field} must be a whole number of at least 1.`, field);
  return targetCount;
}

export function validateCreateHabit(input: CreateHabitInput): ValidHabit {
  return {
    title: requireText(input.title, 'title', { max: MAX_TITLE_LENGTH }),
    schedule: validateSchedule(input.schedule),
    targetCount: validateTargetCount(input.targetCount),
  };
}
