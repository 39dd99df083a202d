import { dateTimeScalar } from '@flowforge/runtime';
import type { Resolvers } from '../generated/graphql.js';
import { Goal, goalMutations, goalQueries } from './goals.js';
import { Habit, HabitCheckIn, habitMutations, habitQueries } from './habits.js';
import { User } from './user.js';

export const resolvers: Resolvers = {
  DateTime: dateTimeScalar,
  Query: { ...habitQueries, ...goalQueries },
  Mutation: { ...habitMutations, ...goalMutations },
  Habit,
  HabitCheckIn,
  Goal,
  User,
};
