import { dateTimeScalar } from '@flowforge/runtime';
import type { Resolvers } from '../generated/graphql.js';
import { connectionMutations, ProviderConnection } from './connections.js';
import { User } from './user.js';

export const resolvers: Resolvers = {
  DateTime: dateTimeScalar,
  Mutation: connectionMutations,
  ProviderConnection,
  User,
};
