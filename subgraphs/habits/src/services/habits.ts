import type { Identity } from '@flowforge/auth';
import { forbidden, notFound, requireId, requirePermission } from '@flowforge/runtime';
import type { HabitRepository, HabitRow } from '../data/habits.js';
import { validateCreateHabit, type CreateHabitInput } from '../domain/habit.js';

/** Habits of the caller in their active organization; nobody reads another user's habits (yet). */
export class HabitService {
  constructor(private readonly habits: HabitRepository) {}

  create(identity: Identity, input: CreateHabitInput): Promise<HabitRow> {
    const member = requirePermission(identity, 'domain:own:write');
    return this.habits.create(member.organizationId, member.userId, validateCreateHabit(input));
  }

  async get(identity: Identity, id: string): Promise<HabitRow> {
    const member = requirePermission(identity, 'domain:own:read');
    const habit = await this.habits.findOwned(member.organizationId, member.userId, requireId(id, 'id'));
    if (!habit) throw notFound('No habit with that id among your habits in the active organization.');
    return habit;
  }

  list(identity: Identity, userId: string, includeArchived: boolean): Promise<HabitRow[]> {
    const member = requirePermission(identity, 'domain:own:read');
    if (userId !== member.userId) throw forbidden('You can only read your own habits.');
    return this.habits.list(member.organizationId, member.userId, { includeArchived });
  }
}
