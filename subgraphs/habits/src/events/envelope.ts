import { createEvent, type EventEnvelope } from '@flowforge/events';
import type { Db } from '../data/rows.js';

/** Event types this subgraph writes to its outbox (topic flowforge.habits, subject = aggregate id). */
export const HABIT_CHECKED_IN = 'flowforge.habits.habit.checked_in';
export const HABIT_CHECK_IN_UNDONE = 'flowforge.habits.habit.check_in_undone';
export const GOAL_PROGRESS_CHANGED = 'flowforge.habits.goal.progress_changed';
/** Event types consumed. */
export const FOCUS_SESSION_ENDED = 'flowforge.focus.session.ended';
export const USER_PROFILE_CHANGED = 'flowforge.orgs.user.profile_changed';

export function habitsEvent<T>(type: string, subject: string, tenant: string, data: T, time = new Date()): EventEnvelope<T> {
  return createEvent({ domain: 'habits', type, subject, tenant, data, time });
}

/**
 * How services write events: `publish` adds them to the outbox with the caller's transaction client
 * (they commit or roll back with the change); `transaction` runs a transaction and wakes the relay after it committed.
 */
export interface EventTools {
  publish(tx: Db, events: readonly EventEnvelope[]): Promise<void>;
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
}
