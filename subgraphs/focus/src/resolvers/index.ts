import { dateTimeScalar } from '@flowforge/runtime';
import type { Resolvers } from '../generated/graphql.js';
import { FocusSession, sessionMutations, sessionQueries } from './sessions.js';
import { User } from './user.js';

export const resolvers: Resolvers = {
  DateTime: dateTimeScalar,
  Query: sessionQueries,
  Mutation: sessionMutations,
  FocusSession,
  User,
};
