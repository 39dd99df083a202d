import type { Resolvers } from '../generated/graphql.js';
import { dateTimeScalar } from '@flowforge/runtime';
import { authMutations } from './auth.js';
import { Invitation, Membership, Session, Team, Workspace } from './members.js';
import { Organization, organizationMutations, organizationQueries } from './organizations.js';
import { User, userMutations, userQueries } from './users.js';

export const resolvers: Resolvers = {
  DateTime: dateTimeScalar,
  Query: { ...userQueries, ...organizationQueries },
  Mutation: { ...authMutations, ...userMutations, ...organizationMutations },
  User,
  Organization,
  Membership,
  Workspace,
  Team,
  Invitation,
  Session,
};
