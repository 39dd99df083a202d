import type { UserResolvers } from '../generated/graphql.js';

/** What the gateway hands us for a User: its key. */
export interface UserReference {
  id: string;
}

export const User: UserResolvers = {
  __resolveReference: (reference) => reference,
  providerConnections: (user, _args, { identity, integrations }) => integrations.list(identity, user.id),
  integrationConflicts: (user, { first }, { identity, integrations }) => integrations.conflicts(identity, user.id, first),
  tasks: (user, { first }, { identity, integrations }) => integrations.tasks(identity, user.id, first),
};
