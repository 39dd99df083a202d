import { requireMember } from '@flowforge/runtime';
import type { HabitResolvers, MutationResolvers, QueryResolvers } from '../generated/graphql.js';

export const habitQueries: QueryResolvers = {
  habit: (_parent, { id }, { identity, habitService }) => habitService.get(identity, id),
};

export const habitMutations: MutationResolvers = {
  createHabit: (_parent, { input }, { identity, habitService }) => habitService.create(identity, input),
};

export const Habit: HabitResolvers = {
  async __resolveReference(reference, { identity, habits }) {
    const member = requireMember(identity);
    return habits.findOwned(member.organizationId, member.userId, reference.id);
  },
  user: (habit) => ({ id: habit.userId }),
};
