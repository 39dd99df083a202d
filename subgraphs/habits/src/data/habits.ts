import type { Habit, PrismaClient } from '../generated/prisma/client.js';
import type { ValidHabit } from '../domain/habit.js';

export type HabitRow = Habit;

/** Habit storage. Every query is scoped by organization and user. */
export class HabitRepository {
  constructor(readonly db: PrismaClient) {}

  findOwned(organizationId: string, userId: string, id: string): Promise<HabitRow | null> {
    return this.db.habit.findFirst({ where: { id, organizationId, userId } });
  }

  list(organizationId: string, userId: string, { includeArchived }: { includeArchived: boolean }): Promise<HabitRow[]> {
    return this.db.habit.findMany({
      where: { organizationId, userId, ...(includeArchived ? {} : { archived: false }) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  create(organizationId: string, userId: string, habit: ValidHabit): Promise<HabitRow> {
    return this.db.habit.create({ data: { organizationId, userId, ...habit } });
  }
}
