import { dateTimeScalar } from '@flowforge/runtime';
import type { Resolvers } from '../generated/graphql.js';
import { Calendar, CalendarEvent, eventMutations, eventQueries } from './events.js';
import { FocusBlock, focusMutations, focusQueries } from './focus.js';
import { User } from './user.js';

export const resolvers: Resolvers = {
  DateTime: dateTimeScalar,
  Query: { ...eventQueries, ...focusQueries },
  Mutation: { ...eventMutations, ...focusMutations },
  Calendar,
  CalendarEvent,
  FocusBlock,
  User,
};
