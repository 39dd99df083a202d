/** Pure validation for habits: no I/O, no Prisma. Errors are BAD_USER_INPUT naming the field. */
import { badInput, requireText } from '@flowforge/runtime';
import { addDays } from '@flowforge/time';
import { validateDate } from './progress.js';
import { parseSchedule, validateTimesPerWeek, type HabitSchedule } from '@flowforge/schedule';

export const MAX_TITLE_LENGTH = 120;
export { MAX_SCHEDULE_LENGTH, parseSchedule } from '@flowforge/schedule';
/** How far back a new habit's startDate may go (so a new habit can adopt a streak already going). */
export const MAX_START_BACKDATE_DAYS = 366;

export type TargetType = 'COUNT' | 'MINUTES';
export const TARGET_LIMITS: Record<TargetType, number> = { COUNT: 1000, MINUTES: 1440 };

export interface CreateHabitInput {
  title: string;
  schedule: string;
  timesPerWeek?: number | null;
  targetType?: TargetType | null;
  targetValue?: number | null;
  reminderTime?: string | null;
  startDate?: string | null;
}

export interface UpdateHabitInput {
  title?: string | null;
  schedule?: string | null;
  /** Pass the value to change it; clearing it needs clearTimesPerWeek (GraphQL null means "unchanged"). */
  timesPerWeek?: number | null;
  clearTimesPerWeek?: boolean | null;
  targetType?: TargetType | null;
  targetValue?: number | null;
  reminderTime?: string | null;
  clearReminderTime?: boolean | null;
}

export interface ValidHabit {
  title: string;
  schedule: string;
  timesPerWeek: number | null;
  targetType: TargetType;
  targetValue: number;
  reminderTime: string | null;
  startDate: string;
}

/** Validates an RRULE and returns its canonical text (see schedule.ts for what is supported). */
export function validateSchedule(schedule: string, field = 'schedule'): string {
  return parseSchedule(schedule, field).rule;
}

export function validateTarget(targetType: TargetType, targetValue: number | null | undefined, field = 'targetValue'): number {
  if (targetValue == null) {
    if (targetType === 'COUNT') return 1;
    throw badInput('targetValue is required for MINUTES habits: how many minutes per occurrence (1 to 1440).', field);
  }
  const max = TARGET_LIMITS[targetType];
  if (!Number.isInteger(targetValue) || targetValue < 1 || targetValue > max) {
    throw badInput(`${field} must be a whole number between 1 and ${max} ${targetType === 'COUNT' ? 'times' : 'minutes'} per occurrence; got ${targetValue}.`, field);
  }
  return targetValue;
}

export function validateReminderTime(reminderTime: string | null | undefined, field = 'reminderTime'): string | null {
  if (reminderTime == null) return null;
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(reminderTime)) throw badInput(`${field} must be a local time HH:MM between 00:00 and 23:59; got "${reminderTime}".`, field);
  return reminderTime;
}

export function validateStartDate(startDate: string | null | undefined, today: string): string {
  if (startDate == null) return today;
  validateDate(startDate, 'startDate');
  const earliest = addDays(today, -MAX_START_BACKDATE_DAYS);
  if (startDate < earliest) throw badInput(`startDate can be at most ${MAX_START_BACKDATE_DAYS} days in the past (${earliest} or later); got ${startDate}.`, 'startDate');
  return startDate;
}

export function validateCreateHabit(input: CreateHabitInput, today: string): ValidHabit {
  const parsed = parseSchedule(input.schedule);
  const targetType = input.targetType ?? 'COUNT';
  return {
    title: requireText(input.title, 'title', { max: MAX_TITLE_LENGTH }),
    schedule: parsed.rule,
    timesPerWeek: validateTimesPerWeek(input.timesPerWeek, parsed),
    targetType,
    targetValue: validateTarget(targetType, input.targetValue),
    reminderTime: validateReminderTime(input.reminderTime),
    startDate: validateStartDate(input.startDate, today),
  };
}

/** The changed columns of an update, validated against the habit as it will be afterwards. */
export function validateUpdateHabit(current: Omit<ValidHabit, 'startDate'>, input: UpdateHabitInput): Partial<ValidHabit> {
  const out: Partial<ValidHabit> = {};
  if (input.title != null) out.title = requireText(input.title, 'title', { max: MAX_TITLE_LENGTH });
  const parsed = parseSchedule(input.schedule ?? current.schedule);
  if (input.schedule != null) out.schedule = parsed.rule;
  if (input.clearTimesPerWeek && input.timesPerWeek != null) throw badInput('Pass either timesPerWeek or clearTimesPerWeek, not both.', 'timesPerWeek');
  const timesPerWeek = input.clearTimesPerWeek ? null : input.timesPerWeek ?? current.timesPerWeek;
  const validTimes = validateTimesPerWeek(timesPerWeek, parsed);
  if (input.clearTimesPerWeek || input.timesPerWeek != null) out.timesPerWeek = validTimes;
  const targetType = input.targetType ?? current.targetType;
  if (input.targetType != null || input.targetValue != null) {
    out.targetType = targetType;
    out.targetValue = validateTarget(targetType, input.targetValue ?? (targetType === current.targetType ? current.targetValue : null));
  }
  if (input.clearReminderTime && input.reminderTime != null) throw badInput('Pass either reminderTime or clearReminderTime, not both.', 'reminderTime');
  if (input.clearReminderTime) out.reminderTime = null;
  else if (input.reminderTime != null) out.reminderTime = validateReminderTime(input.reminderTime);
  return out;
}

export function habitSchedule(habit: { schedule: string; timesPerWeek: number | null; startDate: string }): HabitSchedule {
  return { schedule: parseSchedule(habit.schedule), startDate: habit.startDate, timesPerWeek: habit.timesPerWeek };
}
