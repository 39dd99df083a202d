import type { UserResolvers } from '../generated/graphql.js';

/** What the gateway hands us for a User: its key. */
export interface UserReference {
  id: string;
}

export const User: UserResolvers = {
  __resolveReference: (reference) => reference,
  habits: (user, { includeArchived }, { identity, habitService }) => habitService.list(identity, user.id, includeArchived ?? false),
};
