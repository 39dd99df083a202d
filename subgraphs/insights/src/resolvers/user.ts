import type { UserResolvers } from '../generated/graphql.js';

/** What the gateway hands us for a User: its key. */
export interface UserReference {
  id: string;
}

export const User: UserResolvers = {
  __resolveReference: (reference) => reference,
  // Per-user opt-out arrives with the insights issue; until then nobody has opted out.
  insightsOptOut: () => false,
};
