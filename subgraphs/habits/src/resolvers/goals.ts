import { localDate } from '@flowforge/time';
import { evaluateGoal, milestoneStates } from '../domain/goal.js';
import type { GoalResolvers, MutationResolvers, QueryResolvers } from '../generated/graphql.js';
import type { GoalParent } from '../data/rows.js';
import type { Context } from '../context.js';

export const goalQueries: QueryResolvers = {
  goal: (_parent, { id }, { identity, goalService }) => goalService.get(identity, id),
};

export const goalMutations: MutationResolvers = {
  createGoal: (_parent, { input }, { identity, goalService }) => goalService.create(identity, input),
  updateGoal: (_parent, { id, input }, { identity, goalService }) => goalService.update(identity, id, input),
  recordGoalProgress: (_parent, { goalId, value }, { identity, goalService }) => goalService.recordProgress(identity, goalId, value),
  deleteGoal: (_parent, { id }, { identity, goalService }) => goalService.delete(identity, id),
};

async function evaluation(goal: GoalParent, { goalService }: Context) {
  const timeZone = await goalService.zoneFor(goal);
  return evaluateGoal(goal, goal.progress, localDate(new Date(), timeZone));
}

export const Goal: GoalResolvers = {
  async __resolveReference(reference, { identity, goalService }) {
    const goal = await goalService.findOwned(identity, reference.id);
    if (!goal) return null;
    const required = (reference as { user?: { timezone?: string } }).user?.timezone;
    return { ...goal, requiredTimezone: required ?? null };
  },
  user: (goal) => ({ id: goal.userId }),
  progressShare: (goal) => Math.round((goal.progress / goal.target) * 10_000) / 10_000,
  expectedProgress: async (goal, _args, context) => (await evaluation(goal, context)).expectedProgress,
  status: async (goal, _args, context) => (await evaluation(goal, context)).status,
  async milestones(goal, _args, { goalService }) {
    const history = await goalService.history(goal.id, 1000);
    return milestoneStates(goal.milestones, goal.target, history).map((m) => ({ ...m, reached: m.reachedAt !== null }));
  },
  habits: (goal, _args, { goalService }) => goalService.linkedHabits(goal),
  history: (goal, { first }, { goalService }) => goalService.history(goal.id, first ?? 50, 'desc'),
};
