import { dateTimeScalar } from '@flowforge/runtime';
import type { Resolvers } from '../generated/graphql.js';
import { CalendarEvent, eventMutations, eventQueries } from './events.js';
import { User } from './user.js';

export const resolvers: Resolvers = {
  DateTime: dateTimeScalar,
  Query: eventQueries,
  Mutation: eventMutations,
  CalendarEvent,
  User,
};
