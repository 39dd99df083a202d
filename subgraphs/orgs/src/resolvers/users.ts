import { requireUser } from '@flowforge/runtime';
import { readWorkingHours, validateName, validateTimeZone, validateWorkingHours } from '../domain/profile.js';
import type { MutationResolvers, QueryResolvers, UserResolvers } from '../generated/graphql.js';

export const userQueries: Pick<QueryResolvers, 'me'> = {
  me: (_parent, _args, { identity, loaders }) => (identity.userId ? loaders.users.load(identity.userId) : null),
};

export const userMutations: Pick<MutationResolvers, 'updateProfile'> = {
  async updateProfile(_parent, { input }, { db, identity }) {
    const { userId } = requireUser(identity);
    return db.user.update({
      where: { id: userId },
      data: {
        ...(input.name != null && { name: validateName(input.name) }),
        ...(input.timezone != null && { timezone: validateTimeZone(input.timezone) }),
        ...(input.workingHours != null && { workingHours: { ...validateWorkingHours(input.workingHours) } }),
      },
    });
  },
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
