import { dateTimeScalar, jsonScalar } from '@flowforge/runtime';
import type { Resolvers } from '../generated/graphql.js';
import { AiModel, modelMutations, modelQueries } from './models.js';
import { adviceQueries, Insight } from './advice.js';
import { Team } from './team.js';
import { User } from './user.js';

export const resolvers: Resolvers = {
  DateTime: dateTimeScalar,
  JSON: jsonScalar,
  Query: { ...modelQueries, ...adviceQueries },
  Mutation: modelMutations,
  AiModel,
  Team,
  User,
  Insight,
};
