import { createEvent, HabitsEvents, type EventEnvelope, type HabitEventData, type HabitScheduleData } from '@flowforge/events';
import type { Db, HabitRow } from '../data/rows.js';

/** Event types this subgraph writes to its outbox (topic flowforge.habits, subject = aggregate id; data types in @flowforge/events' catalog). */
export const HABIT_CREATED = HabitsEvents.created;
export const HABIT_UPDATED = HabitsEvents.updated;
export const HABIT_ARCHIVED = HabitsEvents.archived;
export const HABIT_CHECKED_IN = HabitsEvents.checkedIn;
export const HABIT_CHECK_IN_UNDONE = HabitsEvents.checkInUndone;
export const GOAL_PROGRESS_CHANGED = HabitsEvents.goalProgressChanged;
/** Event types consumed. */
export const FOCUS_SESSION_ENDED = 'flowforge.focus.session.ended';
export const USER_PROFILE_CHANGED = 'flowforge.orgs.user.profile_changed';

export function habitsEvent<T>(type: string, subject: string, tenant: string, data: T, time = new Date()): EventEnvelope<T> {
  return createEvent({ domain: 'habits', type, subject, tenant, data, time });
}

/** The schedule as consumers need it (see HabitScheduleData): rule, times per week, start date and the owner's time zone. */
export function scheduleData(habit: HabitRow, timezone: string): HabitScheduleData {
  return { rrule: habit.schedule, timesPerWeek: habit.timesPerWeek, startDate: habit.startDate, timezone };
}

/** The full state of a habit for created / updated / archived. */
export function habitEventData(habit: HabitRow, timezone: string): HabitEventData {
  return {
    habitId: habit.id, userId: habit.userId, organizationId: habit.organizationId, title: habit.title,
    schedule: scheduleData(habit, timezone), targetType: habit.targetType, targetValue: habit.targetValue,
    reminderTime: habit.reminderTime, archived: habit.archived,
  };
}

/**
 * How services write events: `publish` adds them to the outbox with the caller's transaction client
 * (they commit or roll back with the change); `transaction` runs a transaction and wakes the relay after it committed.
 */
export interface EventTools {
  publish(tx: Db, events: readonly EventEnvelope[]): Promise<void>;
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
}
