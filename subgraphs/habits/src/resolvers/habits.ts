import { localDate } from '@flowforge/time';
import type { HabitParent } from '../data/rows.js';
import { habitSchedule } from '../domain/habit.js';
import { checkableDates, completionRate, habitStreak, isCompletedValue, periodStates, validateRange } from '../domain/progress.js';
import { describeSchedule, periodsBetween } from '@flowforge/schedule';
import type { HabitCheckInResolvers, HabitResolvers, MutationResolvers, QueryResolvers } from '../generated/graphql.js';

export const habitQueries: QueryResolvers = {
  habit: (_parent, { id }, { identity, habitService }) => habitService.get(identity, id),
};

export const habitMutations: MutationResolvers = {
  createHabit: (_parent, { input }, { identity, habitService }) => habitService.create(identity, input),
  updateHabit: (_parent, { id, input }, { identity, habitService }) => habitService.update(identity, id, input),
  archiveHabit: (_parent, { id, archived }, { identity, habitService }) => habitService.archive(identity, id, archived ?? true),
  checkIn: (_parent, { habitId, date, value }, { identity, habitService }) => habitService.checkIn(identity, habitId, date, value),
  undoCheckIn: (_parent, { habitId, date }, { identity, habitService }) => habitService.undoCheckIn(identity, habitId, date),
};

async function todayOf(habit: HabitParent, zoneFor: (h: HabitParent) => Promise<string>) {
  const timeZone = await zoneFor(habit);
  return { timeZone, today: localDate(new Date(), timeZone) };
}

export const Habit: HabitResolvers = {
  async __resolveReference(reference, { identity, habitService }) {
    const habit = await habitService.findOwned(identity, reference.id);
    if (!habit) return null;
    const required = (reference as { user?: { timezone?: string } }).user?.timezone;
    return { ...habit, requiredTimezone: required ?? null };
  },
  user: (habit) => ({ id: habit.userId }),
  startDate: (habit) => habit.startDate,
  scheduleText: (habit) => describeSchedule(habitSchedule(habit)),
  occurrences(habit, { from, to }) {
    validateRange(from, to);
    const schedule = habitSchedule(habit);
    const out: string[] = [];
    for (const p of periodsBetween(schedule, from, to)) {
      for (let d = p.start; d <= p.end; d = addOne(d)) if (d >= from && d <= to) out.push(d);
    }
    return out;
  },
  async periods(habit, { from, to }, { habitService }) {
    validateRange(from, to);
    const { today } = await todayOf(habit, (h) => habitService.zoneFor(h));
    return periodStates(habitSchedule(habit), await habitService.completedDates(habit), from, to, today);
  },
  checkIns: (habit, { from, to }, { habitService }) => habitService.checkIns(habit, from, to),
  async streak(habit, _args, { habitService }) {
    const { timeZone, today } = await todayOf(habit, (h) => habitService.zoneFor(h));
    const streak = habitStreak(habitSchedule(habit), await habitService.completedDates(habit), today);
    return { ...streak, unit: habit.timesPerWeek === null ? 'OCCURRENCE' : 'WEEK', today, timezone: timeZone };
  },
  async completionRate(habit, { from, to }, { habitService }) {
    const { today } = await todayOf(habit, (h) => habitService.zoneFor(h));
    return { from, to, ...completionRate(habitSchedule(habit), await habitService.completedDates(habit), from, to, today) };
  },
  async checkableDates(habit, _args, { habitService }) {
    if (habit.archived) return [];
    const { today } = await todayOf(habit, (h) => habitService.zoneFor(h));
    return checkableDates(habitSchedule(habit), today);
  },
};

function addOne(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export const HabitCheckIn: HabitCheckInResolvers = {
  async habit(checkIn, _args, { identity, habitService }) {
    return habitService.get(identity, checkIn.habitId);
  },
  async completed(checkIn, _args, { identity, habitService }) {
    const habit = await habitService.get(identity, checkIn.habitId);
    return isCompletedValue(checkIn.value, habit.targetValue);
  },
};
