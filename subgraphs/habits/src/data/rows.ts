import type { Goal, GoalProgress, Habit, HabitCheckIn, PrismaClient } from '../generated/prisma/client.js';

export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
export type Db = Tx | PrismaClient;

/** Local dates live in DATE columns, which Prisma hands over as UTC midnights. */
export const toDbDate = (date: string): Date => new Date(`${date}T00:00:00.000Z`);
export const fromDbDate = (date: Date): string => date.toISOString().slice(0, 10);

export type HabitRow = Omit<Habit, 'startDate'> & { startDate: string };
export type CheckInRow = Omit<HabitCheckIn, 'date'> & { date: string };
export type GoalRow = Omit<Goal, 'startDate' | 'deadline'> & { startDate: string; deadline: string };
export type GoalProgressRow = GoalProgress;

export const habitRow = (row: Habit): HabitRow => ({ ...row, startDate: fromDbDate(row.startDate) });
export const checkInRow = (row: HabitCheckIn): CheckInRow => ({ ...row, date: fromDbDate(row.date) });
export const goalRow = (row: Goal): GoalRow => ({ ...row, startDate: fromDbDate(row.startDate), deadline: fromDbDate(row.deadline) });

/** What resolvers of entity fields receive: the row, plus the user's time zone when the gateway passed it (@requires). */
export type HabitParent = HabitRow & { requiredTimezone?: string | null };
export type GoalParent = GoalRow & { requiredTimezone?: string | null };
