import type { UserResolvers } from '../generated/graphql.js';

/** What the gateway hands us for a User: its key (timezone is only used through Habit/Goal @requires). */
export interface UserReference {
  id: string;
  timezone?: string;
}

export const User: UserResolvers = {
  __resolveReference: (reference) => reference,
  habits: (user, { includeArchived }, { identity, habitService }) => habitService.list(identity, user.id, includeArchived ?? false),
  goals: (user, _args, { identity, goalService }) => goalService.list(identity, user.id),
};
