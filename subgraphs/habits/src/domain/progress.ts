/**
 * Check-in rules, streaks and completion rates: pure functions over local dates.
 *
 * Rules (also in schema.graphql):
 * - A check-in belongs to one local date. It is allowed for an occurrence date (fixed schedules) or a
 *   day of an active week (timesPerWeek) that is today or at most GRACE_DAYS (2) days in the past, in
 *   the user's time zone, and not before the habit's startDate. Never for future dates.
 * - A check-in COMPLETES its day when value >= the habit's targetValue (count or minutes); a smaller
 *   value is recorded but is partial.
 * - A period (one occurrence, or one week for timesPerWeek) is complete when it has `required` completed
 *   days. Streaks count consecutive complete periods; a missed period breaks the streak, days that are
 *   not occurrences don't. The period containing today (or any period not over yet) does not break the
 *   streak while it is incomplete: it just isn't counted yet.
 * - Completion rate over [from, to]: complete / due periods among the periods starting in [from, to];
 *   a period is due once it is over or complete (future and still-open incomplete periods are left out).
 */
import { badInput } from '@flowforge/runtime';
import { addDays, dayNumber } from '@flowforge/time';
import { periodsBetween, type HabitSchedule, type Period } from '@flowforge/schedule';

/** How many days late a check-in is still accepted: today, yesterday and the day before. */
export const GRACE_DAYS = 2;
/** Longest from..to range the range-taking fields accept (10 years). */
export const MAX_RANGE_DAYS = 3660;

export function validateDate(value: string, field: string): string {
  try {
    dayNumber(value, field);
  } catch {
    throw badInput(`${field} must be a calendar date in the form YYYY-MM-DD; got "${String(value)}".`, field);
  }
  return value;
}

export function validateRange(from: string, to: string, maxDays = MAX_RANGE_DAYS): { from: string; to: string } {
  validateDate(from, 'from');
  validateDate(to, 'to');
  if (to < from) throw badInput(`to (${to}) must not be before from (${from}).`, 'to');
  const days = dayNumber(to, 'to') - dayNumber(from, 'from') + 1;
  if (days > maxDays) throw badInput(`The range from ${from} to ${to} has ${days} days; at most ${maxDays} are allowed.`, 'to');
  return { from, to };
}

/** Dates the user may check in on right now (oldest first): scheduled days in [today - GRACE_DAYS, today] from startDate on. */
export function checkableDates(habit: HabitSchedule, today: string): string[] {
  const from = addDays(today, -GRACE_DAYS);
  const out: string[] = [];
  for (const period of periodsBetween(habit, from, today)) {
    for (let d = period.start; d <= period.end; d = addDays(d, 1)) {
      if (d >= from && d <= today && d >= habit.startDate) out.push(d);
    }
  }
  return [...new Set(out)].sort();
}

/** Throws BAD_USER_INPUT unless a check-in on `date` is allowed on `today`; the message lists the valid dates. */
export function assertCheckInAllowed(habit: HabitSchedule, date: string, today: string): void {
  validateDate(date, 'date');
  const valid = checkableDates(habit, today);
  if (valid.includes(date)) return;
  const options = valid.length ? `You can check in now for: ${valid.join(', ')}.` : `No day between ${addDays(today, -GRACE_DAYS)} and ${today} is scheduled, so there is nothing to check in right now.`;
  let why: string;
  if (date > today) why = `${date} is in the future (today is ${today} in your time zone).`;
  else if (date < addDays(today, -GRACE_DAYS)) why = `${date} is more than ${GRACE_DAYS} days ago; check-ins are accepted up to ${GRACE_DAYS} days late.`;
  else if (date < habit.startDate) why = `${date} is before the habit starts (${habit.startDate}).`;
  else why = `${date} is not a scheduled day of this habit.`;
  throw badInput(`${why} ${options}`, 'date');
}

export const isCompletedValue = (value: number, targetValue: number) => value >= targetValue;

export interface PeriodState extends Period {
  /** Completed days in the period. */
  done: number;
  completed: boolean;
  /** Not over yet on `today` (end >= today). */
  open: boolean;
}

export function periodStates(habit: HabitSchedule, completedDates: ReadonlySet<string>, from: string, to: string, today: string): PeriodState[] {
  return periodsBetween(habit, from, to).map((period) => {
    let done = 0;
    for (let d = period.start; d <= period.end; d = addDays(d, 1)) if (completedDates.has(d)) done += 1;
    return { ...period, done, completed: done >= period.required, open: period.end >= today };
  });
}

export interface Streak {
  current: number;
  longest: number;
}

/** Current and longest runs of complete periods up to `today` (see the file comment). */
export function habitStreak(habit: HabitSchedule, completedDates: ReadonlySet<string>, today: string): Streak {
  if (today < habit.startDate) return { current: 0, longest: 0 };
  const periods = periodStates(habit, completedDates, habit.startDate, today, today).filter((p) => p.start <= today);
  let longest = 0;
  let run = 0;
  for (const p of periods) {
    if (p.completed) {
      run += 1;
      if (run > longest) longest = run;
    } else if (!p.open) run = 0;
  }
  let current = 0;
  for (let i = periods.length - 1; i >= 0; i -= 1) {
    const p = periods[i]!;
    if (p.completed) current += 1;
    else if (p.open) continue;
    else break;
  }
  return { current, longest };
}

export interface CompletionRate {
  due: number;
  completed: number;
  /** completed / due, rounded to 4 decimals; null when nothing was due. */
  rate: number | null;
}

export function completionRate(habit: HabitSchedule, completedDates: ReadonlySet<string>, from: string, to: string, today: string): CompletionRate {
  validateRange(from, to);
  let due = 0;
  let completed = 0;
  for (const p of periodStates(habit, completedDates, from, to, today)) {
    if (p.start < from || p.start > to || p.start > today) continue;
    if (p.completed) {
      completed += 1;
      due += 1;
    } else if (!p.open) due += 1;
  }
  return { due, completed, rate: due === 0 ? null : Math.round((completed / due) * 10_000) / 10_000 };
}
