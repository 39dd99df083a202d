import { readWorkingHours } from '../domain/profile.js';
import type { MutationResolvers, QueryResolvers, UserResolvers } from '../generated/graphql.js';

export const userQueries: Pick<QueryResolvers, 'me'> = {
  me: (_parent, _args, { identity, loaders }) => (identity.userId ? loaders.users.load(identity.userId) : null),
};

export const userMutations: Pick<MutationResolvers, 'updateProfile'> = {
  updateProfile: (_parent, { input }, { accounts, identity }) => accounts.updateProfile(identity, input),
};

export const User: UserResolvers = {
  /** Other subgraphs hand us user ids; only users sharing an organization with the caller resolve. */
  __resolveReference: (reference, { loaders }) => loaders.visibleUsers.load(reference.id),
  workingHours: (user) => readWorkingHours(user.workingHours),
  async memberships(user, _args, { identity, loaders }) {
    return user.id === identity.userId ? loaders.membershipsOfUser.load(user.id) : [];
  },
  async activeOrganization(user, _args, { identity, loaders }) {
    return user.id === identity.userId && identity.organizationId ? loaders.organizations.load(identity.organizationId) : null;
  },
};
