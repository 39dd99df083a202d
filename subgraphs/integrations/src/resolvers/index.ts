import { dateTimeScalar } from '@flowforge/runtime';
import type { Resolvers } from '../generated/graphql.js';
import { connectionMutations, ExternalTask, IntegrationConflict, ProviderConnection } from './connections.js';
import { User } from './user.js';

export const resolvers: Resolvers = {
  DateTime: dateTimeScalar,
  Mutation: connectionMutations,
  ProviderConnection,
  IntegrationConflict,
  ExternalTask,
  User,
};
