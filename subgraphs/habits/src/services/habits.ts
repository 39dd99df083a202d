import type { Identity } from '@flowforge/auth';
import type { HabitCheckedInData } from '@flowforge/events';
import { badInput, conflict, notFound, requireId, requirePermission } from '@flowforge/runtime';
import { addDays, localDate } from '@flowforge/time';
import type { ProfileStore } from '../data/profiles.js';
import { checkInRow, habitRow, toDbDate, type CheckInRow, type Db, type HabitRow } from '../data/rows.js';
import { habitSchedule, TARGET_LIMITS, validateCreateHabit, validateUpdateHabit, type CreateHabitInput, type UpdateHabitInput } from '../domain/habit.js';
import { assertCheckInAllowed, GRACE_DAYS, isCompletedValue, validateDate, validateRange } from '../domain/progress.js';
import { HABIT_ARCHIVED, HABIT_CHECK_IN_UNDONE, HABIT_CHECKED_IN, HABIT_CREATED, HABIT_UPDATED, habitEventData, habitsEvent, scheduleData, type EventTools } from '../events/envelope.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { GoalService } from './goals.js';

const NOT_FOUND = 'No habit with that id among your habits in the active organization.';

/** Habits and check-ins of the caller in their active organization; nobody reads another user's habits. */
export class HabitService {
  constructor(
    private readonly db: PrismaClient,
    private readonly profiles: ProfileStore,
    private readonly goals: GoalService,
    private readonly events: EventTools,
  ) {}

  private async today(userId: string, tx?: Db): Promise<{ timeZone: string; today: string }> {
    const timeZone = await this.profiles.zoneOf(userId, null, tx);
    return { timeZone, today: localDate(new Date(), timeZone) };
  }

  async create(identity: Identity, input: CreateHabitInput): Promise<HabitRow> {
    const member = requirePermission(identity, 'domain:own:write');
    const { timeZone, today } = await this.today(member.userId);
    const valid = validateCreateHabit(input, today);
    return this.events.transaction(async (tx) => {
      const row = habitRow(await tx.habit.create({ data: { organizationId: member.organizationId, userId: member.userId, ...valid, startDate: toDbDate(valid.startDate) } }));
      await this.events.publish(tx, [habitsEvent(HABIT_CREATED, row.id, row.organizationId, habitEventData(row, timeZone))]);
      return row;
    });
  }

  async get(identity: Identity, id: string): Promise<HabitRow> {
    const member = requirePermission(identity, 'domain:own:read');
    const habit = await this.db.habit.findFirst({ where: { id: requireId(id, 'id'), organizationId: member.organizationId, userId: member.userId } });
    if (!habit) throw notFound(NOT_FOUND);
    return habitRow(habit);
  }

  async findOwned(identity: Identity, id: string): Promise<HabitRow | null> {
    const member = requirePermission(identity, 'domain:own:read');
    const habit = await this.db.habit.findFirst({ where: { id, organizationId: member.organizationId, userId: member.userId } });
    return habit && habitRow(habit);
  }

  async list(identity: Identity, userId: string, includeArchived: boolean): Promise<HabitRow[]> {
    const member = requirePermission(identity, 'domain:own:read');
    if (userId !== member.userId) return [];
    const rows = await this.db.habit.findMany({
      where: { organizationId: member.organizationId, userId, ...(includeArchived ? {} : { archived: false }) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map(habitRow);
  }

  private async owned(tx: Db, organizationId: string, userId: string, id: string, field = 'id'): Promise<HabitRow> {
    const habit = await tx.habit.findFirst({ where: { id: requireId(id, field), organizationId, userId } });
    if (!habit) throw notFound(NOT_FOUND);
    return habitRow(habit);
  }

  async update(identity: Identity, id: string, input: UpdateHabitInput): Promise<HabitRow> {
    const member = requirePermission(identity, 'domain:own:write');
    const { timeZone } = await this.today(member.userId);
    return this.events.transaction(async (tx) => {
      const current = await this.owned(tx, member.organizationId, member.userId, id);
      const changes = validateUpdateHabit(current as never, input);
      const updated = habitRow(await tx.habit.update({ where: { id: current.id }, data: changes as never }));
      if (Object.keys(changes).length > 0) await this.events.publish(tx, [habitsEvent(HABIT_UPDATED, updated.id, updated.organizationId, habitEventData(updated, timeZone))]);
      // A new target changes which check-ins complete their day.
      if (changes.targetValue !== undefined && changes.targetValue !== current.targetValue) {
        await this.goals.recompute(tx, { organizationId: member.organizationId, userId: member.userId, metrics: ['HABIT_COMPLETIONS'], habitId: current.id }, 'RECOMPUTE', current.id, timeZone);
      }
      return updated;
    });
  }

  async archive(identity: Identity, id: string, archived: boolean): Promise<HabitRow> {
    const member = requirePermission(identity, 'domain:own:write');
    const { timeZone } = await this.today(member.userId);
    return this.events.transaction(async (tx) => {
      const current = await this.owned(tx, member.organizationId, member.userId, id);
      if (current.archived === archived) return current;
      const updated = habitRow(await tx.habit.update({ where: { id: current.id }, data: { archived } }));
      await this.events.publish(tx, [habitsEvent(HABIT_ARCHIVED, updated.id, updated.organizationId, habitEventData(updated, timeZone))]);
      return updated;
    });
  }

  async checkIn(identity: Identity, habitId: string, date: string | null | undefined, value: number | null | undefined): Promise<CheckInRow> {
    const member = requirePermission(identity, 'domain:own:write');
    if (date != null) validateDate(date, 'date');
    return this.events.transaction(async (tx) => {
      const habit = await this.owned(tx, member.organizationId, member.userId, habitId, 'habitId');
      const { timeZone, today } = await this.today(member.userId, tx);
      const day = date ?? today;
      const existing = await tx.habitCheckIn.findUnique({ where: { habitId_date: { habitId: habit.id, date: toDbDate(day) } } });
      // Idempotent: a repeat returns the check-in as it is (even once the grace window has passed).
      if (existing) return checkInRow(existing);
      if (habit.archived) throw conflict('This habit is archived; restore it with archiveHabit(id, archived: false) before checking in.');
      const amount = value ?? habit.targetValue;
      const max = TARGET_LIMITS[habit.targetType];
      if (!Number.isInteger(amount) || amount < 1 || amount > max) {
        throw badInput(`value must be a whole number between 1 and ${max} ${habit.targetType === 'COUNT' ? 'times' : 'minutes'}; got ${amount}.`, 'value');
      }
      assertCheckInAllowed(habitSchedule(habit), day, today);
      // ON CONFLICT DO NOTHING: a concurrent identical check-in doesn't abort this transaction.
      const { count } = await tx.habitCheckIn.createMany({
        data: [{ organizationId: member.organizationId, userId: member.userId, habitId: habit.id, date: toDbDate(day), value: amount }],
        skipDuplicates: true,
      });
      const row = checkInRow(await tx.habitCheckIn.findUniqueOrThrow({ where: { habitId_date: { habitId: habit.id, date: toDbDate(day) } } }));
      if (count === 0) return row;
      await this.events.publish(tx, [habitsEvent(HABIT_CHECKED_IN, habit.id, member.organizationId, {
        checkInId: row.id, habitId: habit.id, userId: member.userId, organizationId: member.organizationId,
        date: row.date, value: row.value, targetValue: habit.targetValue, completed: isCompletedValue(row.value, habit.targetValue),
        schedule: scheduleData(habit, timeZone),
      } satisfies HabitCheckedInData)]);
      await this.goals.recompute(tx, { organizationId: member.organizationId, userId: member.userId, metrics: ['HABIT_COMPLETIONS'], habitId: habit.id }, 'HABIT_CHECK_IN', row.id, timeZone);
      return row;
    });
  }

  async undoCheckIn(identity: Identity, habitId: string, date: string | null | undefined): Promise<HabitRow> {
    const member = requirePermission(identity, 'domain:own:write');
    if (date != null) validateDate(date, 'date');
    return this.events.transaction(async (tx) => {
      const habit = await this.owned(tx, member.organizationId, member.userId, habitId, 'habitId');
      const { timeZone, today } = await this.today(member.userId, tx);
      const day = date ?? today;
      const earliest = addDays(today, -GRACE_DAYS);
      if (day < earliest || day > today) {
        throw badInput(`Check-ins can only be undone inside the grace window, ${earliest} to ${today} (today in your time zone); got ${day}.`, 'date');
      }
      const existing = await tx.habitCheckIn.findUnique({ where: { habitId_date: { habitId: habit.id, date: toDbDate(day) } } });
      if (!existing) return habit;
      await tx.habitCheckIn.delete({ where: { id: existing.id } });
      await this.events.publish(tx, [habitsEvent(HABIT_CHECK_IN_UNDONE, habit.id, member.organizationId, {
        checkInId: existing.id, habitId: habit.id, userId: member.userId, organizationId: member.organizationId, date: day,
      })]);
      await this.goals.recompute(tx, { organizationId: member.organizationId, userId: member.userId, metrics: ['HABIT_COMPLETIONS'], habitId: habit.id }, 'HABIT_CHECK_IN', existing.id, timeZone);
      return habit;
    });
  }

  /** Check-ins of a habit on local dates in [from, to], oldest first (the habit is already scoped to the caller). */
  async checkIns(habit: HabitRow, from: string, to: string): Promise<CheckInRow[]> {
    validateRange(from, to);
    const rows = await this.db.habitCheckIn.findMany({ where: { habitId: habit.id, date: { gte: toDbDate(from), lte: toDbDate(to) } }, orderBy: { date: 'asc' } });
    return rows.map(checkInRow);
  }

  /** Local dates of the habit's completed check-ins (for streaks and rates). */
  async completedDates(habit: HabitRow): Promise<Set<string>> {
    const rows = await this.db.habitCheckIn.findMany({ where: { habitId: habit.id }, select: { date: true, value: true } });
    return new Set(rows.filter((r) => isCompletedValue(r.value, habit.targetValue)).map((r) => r.date.toISOString().slice(0, 10)));
  }

  zoneFor(habit: { userId: string; requiredTimezone?: string | null }): Promise<string> {
    return this.profiles.zoneOf(habit.userId, habit.requiredTimezone);
  }
}
