import { dateTimeScalar } from '@flowforge/runtime';
import type { Resolvers } from '../generated/graphql.js';
import { Habit, habitMutations, habitQueries } from './habits.js';
import { User } from './user.js';

export const resolvers: Resolvers = {
  DateTime: dateTimeScalar,
  Query: habitQueries,
  Mutation: habitMutations,
  Habit,
  User,
};
